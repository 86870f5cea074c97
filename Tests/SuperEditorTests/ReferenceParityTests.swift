import Foundation
import XCTest
import NN
import Tensor
@testable import SuperEditor

/// The models, losses, gradients and reward against the PyTorch reference's fixtures
/// (tools/make_model_fixtures.py): the reference's own tiny preset at seed 0, and another
/// seed and shape with PAD labels.
final class ReferenceParityTests: XCTestCase {
    static let fixtures = ["tiny-seed0", "custom-seed1"]

    func load(_ dir: URL, _ name: String) throws -> NPYArray { try NPY.read(dir.appendingPathComponent(name)) }

    func testReconstructionOutputLossesAndGradients() throws {
        for name in Self.fixtures {
            let dir = Fixtures.model(name)
            let model = try Checkpoint.loadReconstruction(dir.appendingPathComponent("reconstruction.safetensors"))
            model.eval()
            let mel = try load(dir, "mel.npy").tensor()
            let target = try load(dir, "target.npy").tensor()
            let labels = try load(dir, "labels.npy").ints()
            let expected = try load(dir, "reconstruction_out.npy").floats()

            let out = noGrad { model(mel, labels: labels) }
            let outErr = relativeError(out.scalars, expected)
            XCTAssertLessThan(outErr, 1e-4, "\(name): reconstruction output")

            let params = ParameterBuffer(model)
            params.zeroGrad()
            let reference = Phase1Loss(maskPadding: false)
            let losses = reference(pred: model(mel, labels: labels), target: target, labels: labels)
            losses.total.backward()
            let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("losses.json"))) as! [String: Double]
            for (key, value) in losses.values {
                let r = ref[key]!
                XCTAssertLessThan(abs(Double(value) - r) / max(abs(r), 1e-12), 1e-4, "\(name): loss \(key) \(value) vs \(r)")
            }
            let grads = try NPZ.read(dir.appendingPathComponent("reconstruction_grads.npz"))
            XCTAssertEqual(Set(grads.keys), Set(params.named.map(\.0)), "\(name): gradient names")
            for (pname, p) in params.named where pname != "decoder.alpha" {
                guard let g = grads[pname] else { continue }
                let err = relativeError(p.grad!.scalars, g.floats())
                XCTAssertLessThan(err, 1e-3, "\(name): gradient of \(pname)")
            }
            // alpha's gradient is a near-cancellation of the loss terms' (float32 and float64
            // torch differ by ~2% on it), so each term is checked alone and the total's error
            // is bounded by the size of the terms.
            let terms = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("alpha_grad_terms.json"))) as! [String: Double]
            let alphaRef = Double(grads["decoder.alpha"]!.floats()[0])
            let alphaSwift = Double(model.decoder.alpha.grad!.item)
            let scale = terms.values.map(abs).reduce(0, +)
            XCTAssertLessThan(abs(alphaSwift - alphaRef) / scale, 1e-3, "\(name): alpha gradient \(alphaSwift) vs \(alphaRef)")
            let w = Phase1LossWeights()
            let weightOf = ["l1": w.l1, "stft": w.stft, "consistency": w.consistency]
            for (term, weight) in weightOf {
                params.zeroGrad()
                let l = reference(pred: model(mel, labels: labels), target: target, labels: labels)
                let t = ["l1": l.l1, "stft": l.stft, "consistency": l.consistency][term]!
                t.backward()
                let mine = Double(model.decoder.alpha.grad!.item * weight), theirs = terms[term]!
                XCTAssertLessThan(abs(mine - theirs) / abs(theirs), 1e-3, "\(name): alpha gradient of \(term) \(mine) vs \(theirs)")
            }
        }
    }

    func testPolicyValueAndReward() throws {
        for name in Self.fixtures {
            let dir = Fixtures.model(name)
            let mel = try load(dir, "mel.npy").tensor()
            let policy = try XCTUnwrap(try Checkpoint.loadPolicy(dir.appendingPathComponent("policy.safetensors")) as? EditPredictor, "the reference policy is a frame policy")
            let value = try Checkpoint.loadValue(dir.appendingPathComponent("value.safetensors"))
            policy.eval(); value.eval()
            let logits = noGrad { policy(mel) }
            let expected = try load(dir, "policy_logits.npy").floats()
            XCTAssertLessThan(relativeError(logits.scalars, expected, finiteOnly: true), 1e-4, "\(name): policy logits")
            for i in stride(from: 7, to: logits.count, by: 8) { XCTAssertEqual(logits.data[i], -.infinity) }
            let v = noGrad { value(mel) }
            XCTAssertLessThan(relativeError(v.scalars, try load(dir, "value.npy").floats()), 1e-4, "\(name): value")

            let recon = try Checkpoint.loadReconstruction(dir.appendingPathComponent("reconstruction.safetensors"))
            recon.eval()
            let labels = try load(dir, "labels.npy").ints()
            let predLabels = try load(dir, "pred_labels.npy").ints()
            let pred = noGrad { recon(mel, labels: labels) }
            let targetFile = FileManager.default.fileExists(atPath: dir.appendingPathComponent("reward_target.npy").path)
                ? "reward_target.npy" : "target.npy"
            let target = try load(dir, targetFile).tensor()
            let rewards = Reward.batch(predictedMel: pred, targetMel: target, predictedLabels: predLabels, targetLabels: labels)
            XCTAssertLessThan(relativeError(rewards.map(\.total), try load(dir, "reward.npy").floats()), 1e-4, "\(name): reward")
        }
    }
}

/// A full training step on a padded batch (PAD labels at the end of two sequences): the
/// masked losses, every gradient, the clipped norm and the parameters after one AdamW step.
final class PaddedTrainingStepTests: XCTestCase {
    func testPaddedBatchStepMatchesReference() throws {
        let dir = Fixtures.model("custom-seed1")
        let model = try Checkpoint.loadReconstruction(dir.appendingPathComponent("reconstruction.safetensors"))
        model.eval()
        let mel = try NPY.read(dir.appendingPathComponent("mel.npy")).tensor()
        let target = try NPY.read(dir.appendingPathComponent("target.npy")).tensor()
        let labels = try NPY.read(dir.appendingPathComponent("labels.npy")).ints()
        XCTAssertTrue(labels.contains(EditLabel.pad.rawValue))
        let params = ParameterBuffer(model)
        let optimizer = AdamW(params, learningRate: 1e-3)
        params.zeroGrad()
        let losses = Phase1Loss()(pred: model(mel, labels: labels), target: target, labels: labels)
        losses.total.backward()
        let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("masked_losses.json"))) as! [String: Double]
        for (key, value) in losses.values {
            XCTAssertLessThan(abs(Double(value) - ref[key]!) / abs(ref[key]!), 1e-4, "masked loss \(key)")
        }
        let grads = try NPZ.read(dir.appendingPathComponent("masked_grads.npz"))
        for (name, p) in params.named {
            XCTAssertLessThan(relativeError(p.grad!.scalars, grads[name]!.floats()), 1e-3, "masked gradient of \(name)")
        }
        let norm = params.clipGradNorm(1.0)
        XCTAssertLessThan(abs(Double(norm) - ref["grad_norm"]!) / ref["grad_norm"]!, 1e-4)
        optimizer.update()
        // Adam's first step moves each weight by about ±lr·sign(g), so where a gradient is
        // float noise its sign, and so the step, is arbitrary on either side. Compare the
        // step wherever the reference gradient is clearly non-zero (above 1% of its RMS).
        let after = try NPZ.read(dir.appendingPathComponent("masked_step_params.npz"))
        let before = try Checkpoint.loadReconstruction(dir.appendingPathComponent("reconstruction.safetensors"))
        let start = Dictionary(uniqueKeysWithValues: before.namedParameters().map { ($0.0, $0.1.scalars) })
        for (name, p) in params.named {
            let g = grads[name]!.floats()
            let rms = (g.reduce(0) { $0 + Double($1 * $1) } / Double(g.count)).squareRoot()
            let want = after[name]!.floats(), got = p.scalars, s0 = start[name]!
            var checked = 0, worst: Float = 0
            for i in 0..<g.count where Double(abs(g[i])) > 0.01 * rms {
                worst = max(worst, abs((got[i] - s0[i]) - (want[i] - s0[i])))
                checked += 1
            }
            XCTAssertGreaterThan(checked, g.count / 2, name)
            XCTAssertLessThan(worst, 2e-6, "\(name): AdamW step")
        }
    }
}

/// The other direction: a checkpoint Swift trained (30 steps of `train reconstruction`),
/// loaded by the PyTorch reference, gave `torch_out.npy` (tools/check_swift_checkpoint.py
/// does the same for any run); Swift must give the same output from the same file.
final class SwiftTrainedCheckpointTests: XCTestCase {
    func testSwiftTrainedCheckpointMatchesReferenceOutput() throws {
        let dir = Fixtures.model("swift-trained")
        let file = try SafeTensors.read(dir.appendingPathComponent("reconstruction.safetensors"))
        XCTAssertEqual(file.metadata["kind"], "reconstruction")
        XCTAssertEqual(file.metadata["step"], "30")
        XCTAssertNotNil(file.metadata["phase1_config"])
        let model = try Checkpoint.loadReconstruction(dir.appendingPathComponent("reconstruction.safetensors"))
        model.eval()
        let mel = try NPY.read(dir.appendingPathComponent("mel.npy")).tensor()
        let labels = try NPY.read(dir.appendingPathComponent("labels.npy")).ints()
        let out = noGrad { model(mel, labels: labels) }
        XCTAssertLessThan(relativeError(out.scalars, try NPY.read(dir.appendingPathComponent("torch_out.npy")).floats()), 1e-4)
    }
}
