import Foundation
import XCTest

/// The librosa fixtures under Fixtures/dsp (written by tools/make_dsp_fixtures.py): raw
/// little-endian float32 `.bin` files and `index.json`. No Python is needed to read them.
enum DSPFixtures {
    static let dir: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/dsp")

    static func url(_ name: String) -> URL { dir.appendingPathComponent(name) }

    static let index: [String: Any] = {
        let data = try! Data(contentsOf: url("index.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static var signals: [String: [String: Any]] { index["signals"] as! [String: [String: Any]] }
    static var signalNames: [String] { signals.keys.sorted() }

    static func floats(_ name: String) -> [Float] {
        let data = try! Data(contentsOf: url(name))
        return data.withUnsafeBytes { raw in
            Array(raw.bindMemory(to: Float.self))
        }
    }

    /// The folder of real recordings beside the repository, if this checkout has one.
    static var sharedAudio: URL? {
        let u = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/audio")
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir) && isDir.boolValue ? u : nil
    }
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
}

func tempDir() -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("audiodsp-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}
