import Foundation
import XCTest
import SuperEditor

/// Every command that takes `--data` sees the split stored in the cache by `prepare`, and a
/// resumed run refuses an override it would otherwise drop.
final class CacheSplitCommandTests: XCTestCase {
    func testEveryDataCommandUsesTheSplitStoredByPrepare() throws {
        let dir = CLI.temporaryDirectory()
        let syn = dir.appendingPathComponent("syn"), cache = dir.appendingPathComponent("cache")
        XCTAssertEqual(try CLI.run(["synth", "--out", syn.path, "--count", "6", "--seed", "3", "--seconds", "8"]).status, 0)
        let prep = try CLI.run(["prepare", "--raw", syn.appendingPathComponent("raw").path, "--edited",
                                syn.appendingPathComponent("edited").path, "--out", cache.path, "--validation-fraction", "0.5"])
        XCTAssertEqual(prep.status, 0, prep.stderr)
        let layout = CacheLayout(root: cache)
        XCTAssertEqual(try layout.validationFraction(), 0.5)
        let split = CacheLayout.split(try layout.trainablePairs(), validationFraction: 0.5)
        XCTAssertGreaterThan(split.validation.count, 1, "more than the default split would hold out")
        let pairs = "\(split.train.count) training and \(split.validation.count) validation pairs"

        // A different split for the same cache would move pairs between sides: refused.
        assertOneLineError(try CLI.run(["prepare", "--raw", syn.appendingPathComponent("raw").path, "--edited",
                                        syn.appendingPathComponent("edited").path, "--out", cache.path, "--validation-fraction", "0.2"]),
                           mentioning: "manifest.json")

        let p1 = dir.appendingPathComponent("p1"), p2 = dir.appendingPathComponent("p2")
        let t1 = try CLI.run(["train", "reconstruction", "--data", cache.path, "--out", p1.path, "--steps", "2"])
        XCTAssertEqual(t1.status, 0, t1.stderr)
        XCTAssertTrue(t1.stdout.contains(pairs), t1.stdout)
        let recon = p1.appendingPathComponent("best.safetensors").path
        let t2 = try CLI.run(["train", "policy", "--data", cache.path, "--reconstruction", recon, "--out", p2.path,
                              "--warm-start-steps", "2", "--updates", "1", "--batch-size", "2"])
        XCTAssertEqual(t2.status, 0, t2.stderr)
        XCTAssertTrue(t2.stdout.contains(pairs), t2.stdout)
        let e1 = try CLI.run(["evaluate", "reconstruction", "--data", cache.path, "--checkpoint", recon, "--json"])
        XCTAssertEqual(e1.status, 0, e1.stderr)
        let frames = try split.validation.map { try CacheLayout.readFeatures(layout.rawFeatures($0)).frames }.reduce(0, +)
        XCTAssertTrue(e1.stdout.contains("\"frames\":\(frames)"), e1.stdout)
        let e2 = try CLI.run(["evaluate", "policy", "--data", cache.path, "--reconstruction", recon,
                              "--policy", p2.appendingPathComponent("best.safetensors").path])
        XCTAssertEqual(e2.status, 0, e2.stderr)
        XCTAssertTrue(e2.stdout.contains("on \(split.validation.count) validation pairs (\(frames) frames"), e2.stdout)

        // --resume with an override it cannot honour says so instead of dropping it.
        assertOneLineError(try CLI.run(["train", "reconstruction", "--data", cache.path, "--out", p1.path, "--resume", "--lr", "0.5"]),
                           mentioning: "learning_rate 0.5 differs from the run's")
        assertOneLineError(try CLI.run(["train", "policy", "--data", cache.path, "--reconstruction", recon, "--out", p2.path,
                                        "--resume", "--seed", "7"]), mentioning: "seed 7 differs")
        // The sampled RL baselines run from the command line and say so in the run's config.
        let p3 = dir.appendingPathComponent("p3")
        let t3 = try CLI.run(["train", "policy", "--data", cache.path, "--reconstruction", recon, "--out", p3.path,
                              "--warm-start-steps", "2", "--updates", "1", "--batch-size", "2", "--rl-baseline", "rloo", "--rl-samples", "3"])
        XCTAssertEqual(t3.status, 0, t3.stderr)
        let saved = try String(contentsOf: p3.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(saved.contains("\"rl_baseline\"") && saved.contains("rloo") && saved.contains("\"rl_samples\""), saved)
        let t4 = try CLI.run(["train", "policy", "--data", cache.path, "--reconstruction", recon, "--out", dir.appendingPathComponent("p4").path,
                              "--rl-samples", "1"])
        XCTAssertNotEqual(t4.status, 0)
        XCTAssertTrue(t4.stderr.contains("--rl-samples must be at least 2"), t4.stderr)
        // --beat-features chooses the features a new policy reads; the checkpoint says how many.
        let p5 = dir.appendingPathComponent("p5")
        let t5 = try CLI.run(["train", "policy", "--data", cache.path, "--reconstruction", recon, "--out", p5.path,
                              "--warm-start-steps", "2", "--updates", "1", "--batch-size", "2", "--beat-features", "18"])
        XCTAssertEqual(t5.status, 0, t5.stderr)
        let info = try CLI.run(["info", p5.appendingPathComponent("best.safetensors").path, "--json"])
        XCTAssertTrue(info.stdout.contains("\"beat_features\":18") || info.stdout.contains("\"beat_features\" : 18"), info.stdout)
        let t6 = try CLI.run(["train", "policy", "--data", cache.path, "--reconstruction", recon, "--out", dir.appendingPathComponent("p6").path,
                              "--beat-features", "35"])
        XCTAssertNotEqual(t6.status, 0)
        XCTAssertTrue(t6.stderr.contains("--beat-features must be 1…34"), t6.stderr)
    }
}
