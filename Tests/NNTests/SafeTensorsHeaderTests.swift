import Foundation
import NN
import Tensor
import XCTest

/// A safetensors header can declare anything: shapes that overflow, negative dimensions,
/// offsets past the file or reversed, a tensor of 100 GB. Each is a one-line error naming the
/// file, found before anything is allocated.
final class SafeTensorsHeaderTests: XCTestCase {
    func file(header: String, body: Int = 16) throws -> URL {
        var json = Data(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data()
        var len = UInt64(json.count).littleEndian
        data.append(Data(bytes: &len, count: 8))
        data.append(json)
        data.append(Data(count: body))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-header-\(UUID().uuidString).safetensors")
        try data.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func assertRefused(_ header: String, mentioning words: String, line: UInt = #line) throws {
        let url = try file(header: header)
        XCTAssertThrowsError(try SafeTensors.read(url), line: line) { e in
            let text = InputError.line(for: e)
            XCTAssertTrue(text.hasPrefix(url.path) && text.contains(words), text, line: line)
            XCTAssertFalse(text.contains("\n"), line: line)
        }
    }

    func testHostileHeadersAreOneLineErrors() throws {
        try assertRefused(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#, mentioning: "impossible shape")
        try assertRefused(#"{"a":{"dtype":"F32","shape":[9223372036854775807],"data_offsets":[0,16]}}"#, mentioning: "impossible shape")
        try assertRefused(#"{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}"#, mentioning: "impossible shape")
        try assertRefused(#"{"a":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}"#, mentioning: "impossible shape")
        try assertRefused(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,9223372036854775807]}}"#, mentioning: "truncated")
        try assertRefused(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[16,0]}}"#, mentioning: "truncated")
        try assertRefused(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[-16,0]}}"#, mentioning: "truncated")
        // 100 GB declared in a 16-byte body.
        try assertRefused(#"{"a":{"dtype":"F32","shape":[25000000000],"data_offsets":[0,100000000000]}}"#, mentioning: "truncated")
    }

    func testCheckedByteCount() {
        XCTAssertEqual(checkedByteCount(shape: [2, 3], itemSize: 4)?.bytes, 24)
        XCTAssertEqual(checkedByteCount(shape: [], itemSize: 8)?.elements, 1)
        XCTAssertEqual(checkedByteCount(shape: [0, Int.max], itemSize: 4)?.bytes, 0)
        XCTAssertNil(checkedByteCount(shape: [Int.max / 2, 3], itemSize: 4))
        XCTAssertNil(checkedByteCount(shape: [Int.max / 4 + 1], itemSize: 4))
        XCTAssertNil(checkedByteCount(shape: [3, -1], itemSize: 4))
    }
}
