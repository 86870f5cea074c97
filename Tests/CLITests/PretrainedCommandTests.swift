import AudioDSP
import Foundation
import XCTest
@testable import SuperEditor

/// The commands that use the shipped models by default: `edit` with no model flags, `info`
/// and `evaluate cleanup`.
final class PretrainedCommandTests: XCTestCase {
    func testEditNeedsNoModelFlags() throws {
        let dir = CLI.temporaryDirectory()
        let pair = SynthPair.generate(seed: 616, index: 0, seconds: 12...12)
        try pair.write(to: dir)
        let out = dir.appendingPathComponent("out.wav")
        let r = try CLI.run(["edit", dir.appendingPathComponent("raw/\(pair.id).wav").path, "-o", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("beats"), r.stdout)
        XCTAssertGreaterThan(try AudioFile.load(out).samples.count, 0)
    }

    func testInfoPrintsKindConfigStepDataAndValidation() throws {
        let r = try CLI.run(["info"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for want in ["kind        reconstruction", "kind        policy (beat architecture)", "step", "config", "training and", "validation pairs",
                     "hyperrogue-music", "validation  L1", "per-beat accuracy"] {
            XCTAssertTrue(r.stdout.contains(want), "\(want) in:\n\(r.stdout)")
        }
        let j = try CLI.run(["info", try PretrainedModels.policyURL().path, "--json"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(obj["kind"] as? String, "policy")
        XCTAssertNotNil((obj["validation"] as? [String: Any])?["beat_accuracy"])
        XCTAssertNotNil((obj["data"] as? [String: Any])?["train_pairs"])
    }

    /// A run given no `--describe-data` records the split alone; `info --json` leaves the description out.
    func testInfoOfACheckpointWithoutADescription() throws {
        let dir = CLI.temporaryDirectory()
        let url = dir.appendingPathComponent("p.safetensors")
        let pc = PredictorConfig(predictorDim: 16, nLayers: 1, nHeads: 2, architecture: .beat)
        let record = Checkpoint.trainingRecord(["phase2_config": "{}"], data: TrainingDataSummary(description: nil, trainPairs: 3, validationPairs: 1),
                                               validation: Optional<PolicyMetrics>.none)
        try Checkpoint.save(BeatPolicy(pc, seed: 1), kind: .policy, config: pc, step: 7, extra: record, to: url)
        let j = try CLI.run(["info", url.path, "--json"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let data = try XCTUnwrap(obj["data"] as? [String: Any])
        XCTAssertEqual(data["train_pairs"] as? Int, 3)
        XCTAssertNil(data["description"])
        XCTAssertNil(obj["validation"])
        XCTAssertEqual(obj["step"] as? Int, 7)
        let t = try CLI.run(["info", url.path])
        XCTAssertTrue(t.stdout.contains("data        3 training and 1 validation pairs\n"), t.stdout)
        XCTAssertTrue(t.stdout.contains("validation  not recorded"), t.stdout)
    }

    func testInfoRejectsAFileThatIsNoCheckpoint() throws {
        let dir = CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("bad.safetensors")
        try Data("not a checkpoint".utf8).write(to: bad)
        assertOneLineError(try CLI.run(["info", bad.path]), mentioning: bad.path)
    }

    func testEvaluateCleanupJudgesEachTrueReason() throws {
        let dir = CLI.temporaryDirectory()
        let music = SynthPair.generate(seed: 52, index: 0, seconds: 40...40).raw
        var maker = StylePairs()
        maker.style = .cleanup
        for seed in UInt64(0)..<2 { try XCTUnwrap(maker.make(samples: music, sampleRate: 22050, seed: seed, id: "p\(seed)")).write(to: dir) }
        let r = try CLI.run(["evaluate", "cleanup", "--data", dir.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(obj["rows"] as? [[String: Any]])
        XCTAssertTrue(rows.contains { $0["reason"] as? String == "dropout" && $0["defect"] as? Bool == true })
        XCTAssertTrue(rows.contains { $0["reason"] as? String == "keep" && $0["defect"] as? Bool == false })
        let text = try CLI.run(["evaluate", "cleanup", "--data", dir.path])
        XCTAssertTrue(text.stdout.contains("defect beats treated (CUT or EFFECT)"), text.stdout)
        assertOneLineError(try CLI.run(["evaluate", "cleanup", "--data", dir.appendingPathComponent("none").path]), mentioning: "none")
        // Several CUT biases from one pass: a larger bias removes at least as much and keeps at most as much.
        let sweep = try CLI.run(["evaluate", "cleanup", "--data", dir.path, "--json", "--cut-bias", "0", "--cut-bias", "4"])
        XCTAssertEqual(sweep.status, 0, sweep.stderr)
        let reports = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sweep.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(reports.map { $0["cut_bias"] as? Double }, [0, 4])
        func total(_ r: [String: Any], defect: Bool, _ key: String) -> Int {
            ((r["rows"] as? [[String: Any]]) ?? []).filter { $0["defect"] as? Bool == defect }.reduce(0) { $0 + (($1[key] as? Int) ?? 0) }
        }
        XCTAssertEqual(total(reports[0], defect: true, "handled"), total(obj, defect: true, "handled"), "bias 0 is the default")
        XCTAssertGreaterThanOrEqual(total(reports[1], defect: true, "handled"), total(reports[0], defect: true, "handled"))
        XCTAssertLessThanOrEqual(total(reports[1], defect: false, "handled"), total(reports[0], defect: false, "handled"))
    }
}
