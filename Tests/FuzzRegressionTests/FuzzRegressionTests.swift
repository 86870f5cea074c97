import Foundation
import FuzzTargets
import XCTest

/// Replays every committed fuzz input through the same functions `make fuzz` runs: the seeds and
/// crashing inputs in Fixtures/fuzz/<target>/ and the fixtures of each target's format. A
/// target stops the process on any outcome but a value or a one-line `InputError` about its
/// input, so a crash found once and fixed stays fixed.
final class FuzzRegressionTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The committed fixtures each target also starts from, by file extension.
    static let fixtureExtensions: [String: [String]] = [
        "npy": ["npy"], "npz": ["npz"], "safetensors": ["safetensors"], "audio": ["wav", "flac", "ogg"],
        "labels": [], "config": [],
    ]

    func files(under folder: URL, extensions: [String]? = nil) -> [URL] {
        let all = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? []
        return all.filter { extensions?.contains($0.pathExtension) ?? true }.sorted { $0.path < $1.path }
    }

    func testEveryTargetHasSeedsAndEverySeedFolderATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.appendingPathComponent("fuzz").path)
        XCTAssertEqual(Set(folders), Set(FuzzTargets.all.keys))
        XCTAssertEqual(Set(Self.fixtureExtensions.keys), Set(FuzzTargets.all.keys))
        for name in FuzzTargets.all.keys {
            XCTAssertFalse(files(under: Self.fixtures.appendingPathComponent("fuzz/\(name)")).isEmpty, "no seeds for \(name)")
        }
    }

    func testCommittedInputsReplay() throws {
        for (name, target) in FuzzTargets.all.sorted(by: { $0.key < $1.key }) {
            var inputs = files(under: Self.fixtures.appendingPathComponent("fuzz/\(name)"))
            let fixtureDirs = try FileManager.default.contentsOfDirectory(at: Self.fixtures, includingPropertiesForKeys: nil)
                .filter { $0.lastPathComponent != "fuzz" }
            for dir in fixtureDirs { inputs += files(under: dir, extensions: Self.fixtureExtensions[name]!) }
            for url in inputs { target(try Data(contentsOf: url)) }
            // libFuzzer always tries the empty input first.
            target(Data())
        }
    }
}
