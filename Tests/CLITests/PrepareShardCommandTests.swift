import Foundation
import SuperEditor
import TestSupport
import XCTest

/// `prepare --shard K/N`: parts made with no coordination add up to the whole cache.
final class PrepareShardCommandTests: XCTestCase {
    func testShardsTogetherAreTheWholeCache() throws {
        let dir = CLI.temporaryDirectory()
        let data = dir.appendingPathComponent("data")
        XCTAssertEqual(try CLI.run(["synth", "--out", data.path, "--count", "6", "--seed", "11", "--seconds", "8"]).status, 0)
        let raw = data.appendingPathComponent("raw").path, edited = data.appendingPathComponent("edited").path
        let whole = dir.appendingPathComponent("whole"), parts = dir.appendingPathComponent("parts")
        XCTAssertEqual(try CLI.run(["prepare", "--raw", raw, "--edited", edited, "--out", whole.path]).status, 0)
        var seen: [[String]] = []
        for k in 1...3 {
            let r = try CLI.run(["prepare", "--raw", raw, "--edited", edited, "--out", parts.path, "--shard", "\(k)/3"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let manifest = parts.appendingPathComponent("manifest.shard-\(k)-of-3.json")
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as! [String: Any]
            XCTAssertEqual(object["shard"] as? String, "\(k)/3")
            seen.append(object["prepared"] as! [String])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: parts.appendingPathComponent("manifest.json").path),
                       "a part writes only its own manifest")
        let all = seen.flatMap { $0 }
        XCTAssertEqual(all.count, Set(all).count, "no pair is in two parts")
        XCTAssertEqual(Set(all).count, 6)
        // The parts' files are the whole run's, byte for byte; a run without --shard then writes
        // the manifest and prepares nothing again.
        let files = { (u: URL) in try FileManager.default.subpathsOfDirectory(atPath: u.path).filter { !$0.hasPrefix("manifest") }.sorted() }
        XCTAssertEqual(try files(parts), try files(whole))
        for f in try files(whole) where f.hasSuffix(".npy") {
            XCTAssertEqual(FileManager.default.contents(atPath: parts.appendingPathComponent(f).path),
                           FileManager.default.contents(atPath: whole.appendingPathComponent(f).path), f)
        }
        for f in try files(whole) where f.hasSuffix(".npz") {
            // The zip entries carry their write time; the arrays must be the same.
            let a = try CacheLayout.readFeatures(parts.appendingPathComponent(f)), b = try CacheLayout.readFeatures(whole.appendingPathComponent(f))
            XCTAssertEqual(a.mel, b.mel, f)
            XCTAssertEqual(a.transient, b.transient, f)
            XCTAssertEqual(a.beatFrames, b.beatFrames, f)
        }
        let merge = try CLI.run(["prepare", "--raw", raw, "--edited", edited, "--out", parts.path])
        XCTAssertTrue(merge.stderr.contains("prepared 0, already in cache 6"), merge.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: parts.appendingPathComponent("manifest.json").path))
    }

    func testABadShardIsOneLineError() throws {
        let dir = CLI.temporaryDirectory()
        for bad in ["3/2", "0/2", "1", "a/b"] {
            assertOneLineError(try CLI.run(["prepare", "--raw", dir.path, "--edited", dir.path, "--out", dir.appendingPathComponent("c").path,
                                            "--shard", bad]), mentioning: "--shard")
        }
    }
}
