import Foundation
import XCTest
import NN
import Tensor
@testable import SuperEditor

final class PPOTrainerTests: XCTestCase {
    func tinyConfig() -> Phase2Config {
        var c = Phase2Config.frameCPUDefault
        c.predictorDim = 16; c.nLayers = 1; c.nHeads = 2; c.dropout = 0
        c.batchSize = 8; c.minibatchSize = 4; c.maxSeqLen = 64; c.updates = 6; c.validateEvery = 100
        c.learningRate = 3e-3; c.warmStart = .none; c.seed = 3; c.targetKL = 1
        return c
    }

    func reconstruction() -> ReconstructionModel {
        ReconstructionModel(ReconstructionConfig(encoderDim: 16, nEncoderLayers: 1, nDecoderLayers: 1, nHeads: 2, dropout: 0), seed: 1)
    }

    /// Mean probability the policy gives the true label, over the training frames.
    func truthProbability(_ t: PPOTrainer) throws -> Double {
        var s = 0.0, n = 0
        let batch = try t.dataset.trainingBatch(step: 0, batchSize: 8, maxSeqLen: 64, seed: 99)
        let logp = noGrad { t.policy(batch.mel).logSoftmax() }
        for (r, l) in batch.labels.enumerated() where l != EditLabel.pad.rawValue {
            s += Double(Foundation.exp(logp.data[r * 8 + l])); n += 1
        }
        return s / Double(n)
    }

    func testGAEGeneralFormAndOneStepCase() {
        let (a, r) = Advantage.gae(rewards: [1, 0, 2], values: [0.5, 0.2, 1], dones: [false, false, true], gamma: 0.9, lambda: 0.8)
        // δ = [1 + .9·.2 − .5, 0 + .9·1 − .2, 2 − 1] = [.68, .7, 1]
        XCTAssertEqual(a[2], 1, accuracy: 1e-6)
        XCTAssertEqual(a[1], 0.7 + 0.72 * 1, accuracy: 1e-5)
        XCTAssertEqual(a[0], 0.68 + 0.72 * a[1], accuracy: 1e-5)
        XCTAssertEqual(r[0], a[0] + 0.5, accuracy: 1e-6)
        let (one, _) = Advantage.gae(rewards: [3, 1], values: [1, 2], dones: [true, true], gamma: 0.99, lambda: 0.95)
        XCTAssertEqual(one, [2, -1], "one-step episodes: A = r − V")
        let n = Advantage.normalized([1, 2, 3])
        XCTAssertEqual(n.reduce(0, +), 0, accuracy: 1e-6)
    }

    func testPPOMovesThePolicyTowardsTheKnownBestLabels() throws {
        let cache = try ToyCache.make(pairs: 6, frames: 60, validationFraction: 0.2)
        let ds = try PairedMelDataset(cache: cache)
        let recon = reconstruction()
        let before = recon.namedParameters().map { $0.1.scalars }
        let t = try PPOTrainer(config: tinyConfig(), dataset: ds, reconstruction: recon, out: temporaryDirectory())
        t.showProgress = false
        let p0 = try truthProbability(t)
        let r0 = try t.collect(update: 100).rewards.map(\.label).reduce(0, +)
        _ = try t.run()
        let p1 = try truthProbability(t)
        let r1 = try t.collect(update: 100).rewards.map(\.label).reduce(0, +)
        XCTAssertGreaterThan(p1, p0 + 0.02, "probability of the true labels \(p0) → \(p1)")
        XCTAssertGreaterThan(r1, r0, "label reward of a fixed rollout \(r0) → \(r1)")
        XCTAssertEqual(t.history.count, 6)
        for s in t.history { XCTAssertTrue(s.approxKL.isFinite && s.entropy > 0 && s.clipFraction >= 0) }
        // The frozen model got no gradient and did not move.
        XCTAssertEqual(recon.namedParameters().map { $0.1.scalars }, before)
        XCTAssertTrue(recon.parameters().allSatisfy { !$0.requiresGrad && $0.grad == nil })
        for f in ["best.safetensors", "last.safetensors", "value_last.safetensors", "last.state.safetensors", "metrics.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: t.outDirectory.appendingPathComponent(f).path), f)
        }
        XCTAssertNoThrow(try Checkpoint.loadPolicy(t.runFolder.last))
        // Starting again in the same folder would overwrite the run: refused, naming the folder.
        XCTAssertThrowsError(try PPOTrainer(config: tinyConfig(), dataset: ds, reconstruction: recon, out: t.outDirectory)) {
            XCTAssertEqual(($0 as? InputError)?.path, t.outDirectory.path)
        }
    }

    func testSequenceRatioOptionRuns() throws {
        let cache = try ToyCache.make(pairs: 4, frames: 40)
        var c = tinyConfig()
        c.ratio = .sequence; c.updates = 2
        let t = try PPOTrainer(config: c, dataset: try PairedMelDataset(cache: cache), reconstruction: reconstruction(), out: temporaryDirectory())
        t.showProgress = false
        _ = try t.run()
        XCTAssertEqual(t.history.count, 2)
        let bogus = temporaryDirectory().appendingPathComponent("c.json")
        try Data(#"{"ratio": "bogus"}"#.utf8).write(to: bogus)
        XCTAssertThrowsError(try Phase2Config.load(bogus)) { XCTAssertTrue("\($0)".contains(bogus.path), "\($0)") }
    }

    func testSupervisedWarmStartLearnsTheLabels() throws {
        let cache = try ToyCache.make(pairs: 6, frames: 60)
        var c = tinyConfig()
        c.warmStart = .supervised; c.warmStartSteps = 60; c.warmStartLearningRate = 1e-2; c.updates = 0
        let t = try PPOTrainer(config: c, dataset: try PairedMelDataset(cache: cache), reconstruction: reconstruction(), out: temporaryDirectory())
        t.showProgress = false
        let p0 = try truthProbability(t)
        let r = try t.run()
        XCTAssertGreaterThan(try truthProbability(t), p0 + 0.1)
        XCTAssertNotNil(r.validation)
    }

    func testPolicyEvaluationScores() {
        let c = [[8, 2, 0, 0, 0, 0, 0], [1, 9, 0, 0, 0, 0, 0]] + [[Int]](repeating: [Int](repeating: 0, count: 7), count: 5)
        let s = PolicyEvaluation.classScores(c)
        XCTAssertEqual(s["CUT"]!.precision, 8.0 / 9, accuracy: 1e-9)
        XCTAssertEqual(s["CUT"]!.recall, 0.8, accuracy: 1e-9)
        XCTAssertEqual(s["KEEP"]!.support, 10)
        XCTAssertEqual(s["LOOP"]!.support, 0)
    }
}
