import Foundation
import SuperEditor
import Tensor
import XCTest

/// An `.npy` header whose shape overflows or is negative is a one-line error, not a trap.
final class NPYHeaderTests: XCTestCase {
    func npy(shape: String) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        d.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        d.append(Data(header.utf8))
        d.append(Data(count: 16))
        return d
    }

    func testShapesThatOverflowAreRefused() throws {
        XCTAssertEqual(try NPY.decode(npy(shape: "(2, 2)"), name: "ok.npy").shape, [2, 2])
        for shape in ["(9223372036854775807, 2)", "(4294967296, 4294967296)", "(2305843009213693952,)"] {
            XCTAssertThrowsError(try NPY.decode(npy(shape: shape), name: "bad.npy")) { e in
                let text = InputError.line(for: e)
                XCTAssertTrue(text.hasPrefix("bad.npy") && text.contains("impossible shape"), text)
            }
        }
        // A shape the file does not hold: refused before any allocation, by the bytes it needs.
        XCTAssertThrowsError(try NPY.decode(npy(shape: "(25000000000,)"), name: "big.npy")) {
            XCTAssertTrue(InputError.line(for: $0).contains("truncated data"), "\($0)")
        }
    }
}
