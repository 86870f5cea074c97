import AudioDSP
import Foundation
import NN
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
        // The default is the policy's own bias (the shipped one is calibrated).
        let own = try PretrainedModels.policy().config.cutBias
        XCTAssertGreaterThan(own, 0, "the shipped policy is calibrated")
        XCTAssertEqual(obj["cut_bias"] as? Double, own)
        let sweep = try CLI.run(["evaluate", "cleanup", "--data", dir.path, "--json", "--cut-bias", "0", "--cut-bias", "\(own)", "--cut-bias", "6"])
        XCTAssertEqual(sweep.status, 0, sweep.stderr)
        let reports = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sweep.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(reports.map { $0["cut_bias"] as? Double }, [0, own, 6])
        XCTAssertEqual(total(reports[1], defect: true, "handled"), total(obj, defect: true, "handled"), "the policy's bias is the default")
        XCTAssertEqual(total(reports[1], defect: false, "handled"), total(obj, defect: false, "handled"))
        for (a, b) in zip(reports, reports.dropFirst()) {
            XCTAssertGreaterThanOrEqual(total(b, defect: true, "handled"), total(a, defect: true, "handled"), "a larger bias removes at least as much")
            XCTAssertLessThanOrEqual(total(b, defect: false, "handled"), total(a, defect: false, "handled"), "and keeps at most as much")
        }
    }

    /// `calibrate` judges a policy at every bias of its grid from one pass, keeps the largest up
    /// to which the pairs keep the asked share of clean beats, and writes the policy again with
    /// it; `edit` and `evaluate cleanup` then decide with it.
    func testCalibrateWritesTheChosenBiasIntoThePolicy() throws {
        let dir = CLI.temporaryDirectory(), pairs = dir.appendingPathComponent("pairs")
        let music = SynthPair.generate(seed: 52, index: 0, seconds: 40...40).raw
        var maker = StylePairs()
        maker.style = .cleanup
        for seed in UInt64(0)..<2 { try XCTUnwrap(maker.make(samples: music, sampleRate: 22050, seed: seed, id: "p\(seed)")).write(to: pairs) }
        let shipped = try PretrainedModels.policyURL()
        let out = dir.appendingPathComponent("calibrated.safetensors")
        let r = try CLI.run(["calibrate", "--policy", shipped.path, "--data", pairs.path, "--clean-kept", "0.9", "-o", out.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let c = try JSONDecoder().decode(CutBiasCalibration.self, from: Data(r.stdout.utf8))
        XCTAssertEqual(c.sweep.map(\.cutBias), CutBiasCalibration.grid)
        XCTAssertEqual(c.cleanKeptTarget, 0.9)
        let chosen = try XCTUnwrap(c.sweep.firstIndex { $0.cutBias == c.cutBias })
        XCTAssertTrue(c.sweep[...chosen].allSatisfy { $0.cleanKept >= 0.9 } || chosen == 0, "every bias up to the chosen one keeps enough")
        if chosen + 1 < c.sweep.count { XCTAssertLessThan(c.sweep[chosen + 1].cleanKept, 0.9, "the next one does not") }
        // The same weights, the bias in the config, the calibration in the metadata.
        let (before, after) = (try SafeTensors.read(shipped), try SafeTensors.read(out))
        XCTAssertEqual(after.order, before.order)
        for name in before.order { XCTAssertEqual(after.tensors[name]!.scalars, before.tensors[name]!.scalars, name) }
        XCTAssertEqual(try Checkpoint.loadPolicy(out).config.cutBias, c.cutBias)
        let info = try CLI.run(["info", out.path])
        XCTAssertTrue(info.stdout.contains(String(format: "calibrated  CUT bias %g on 2 pairs (pairs)", c.cutBias)), info.stdout)
        let judged = try CLI.run(["evaluate", "cleanup", "--data", pairs.path, "--policy", out.path, "--json"])
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(judged.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(obj["cut_bias"] as? Double, c.cutBias)
        XCTAssertEqual(total(obj, defect: false, "handled"), Int((c.chosen.cleanKept * Double(c.cleanBeats)).rounded()))
        // Bad input: one line naming the problem, nothing written over.
        let again = try CLI.run(["calibrate", "--data", pairs.path, "-o", out.path])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains(out.path), again.stderr)
        XCTAssertEqual(try Checkpoint.loadPolicy(out).config.cutBias, c.cutBias)
        let zero = try CLI.run(["calibrate", "--data", pairs.path, "-o", dir.appendingPathComponent("z.safetensors").path, "--clean-kept", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--clean-kept"), zero.stderr)
        assertOneLineError(try CLI.run(["calibrate", "--data", dir.appendingPathComponent("none").path, "-o", dir.appendingPathComponent("n.safetensors").path]),
                           mentioning: "none")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("n.safetensors").path))
    }

    private func total(_ r: [String: Any], defect: Bool, _ key: String) -> Int {
        ((r["rows"] as? [[String: Any]]) ?? []).filter { $0["defect"] as? Bool == defect }.reduce(0) { $0 + (($1[key] as? Int) ?? 0) }
    }
}
