import Foundation
import XCTest
import Tensor
@testable import NN

/// AdamW, the warmup-cosine schedule and global-norm clipping against PyTorch
/// (Fixtures/model/optim from tools/make_model_fixtures.py), read with a minimal
/// local .npy parser so that this target needs nothing above NN.
final class OptimizerTests: XCTestCase {
    final class Weights: Module {
        let w: Tensor, b: Tensor
        init(w: [Float], b: [Float]) {
            self.w = Tensor(w, shape: [5, 3]); self.b = Tensor(b, shape: [4])
            self.w.requiresGrad = true; self.b.requiresGrad = true
        }
        override func ownParameters() -> [(String, Tensor)] { [("w", w), ("b", b)] }
    }

    func testAdamWScheduleAndClippingMatchPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/model/optim")
        let arrays = try MiniNPY.folder(url)
        let model = Weights(w: arrays["w"]!.floats, b: arrays["b"]!.floats)
        let params = ParameterBuffer(model)
        let opt = AdamW(params, learningRate: 0.1, weightDecay: 0.01)
        let schedule = WarmupCosineSchedule(baseRate: 0.1, warmupSteps: 2, totalSteps: 6)
        for step in 0..<5 {
            model.w.grad!.assign(Tensor(arrays["grad_w_\(step)"]!.floats, shape: [5, 3]))
            model.b.grad!.assign(Tensor(arrays["grad_b_\(step)"]!.floats, shape: [4]))
            opt.learningRate = schedule.rate(at: step)
            XCTAssertEqual(Double(opt.learningRate), arrays["lr_\(step)"]!.doubles[0], accuracy: 1e-7, "lr at \(step)")
            let norm = params.clipGradNorm(1.0)
            XCTAssertEqual(Double(norm), arrays["norm_\(step)"]!.doubles[0], accuracy: 1e-4 * arrays["norm_\(step)"]!.doubles[0])
            opt.update()
            for (name, t) in [("w", model.w), ("b", model.b)] {
                let want = arrays["\(name)_\(step)"]!.floats
                for (a, e) in zip(t.scalars, want) { XCTAssertEqual(a, e, accuracy: 1e-5, "\(name) after step \(step)") }
            }
        }
    }

    func testClippingLeavesSmallGradientsAlone() {
        let m = Weights(w: [Float](repeating: 0, count: 15), b: [0, 0, 0, 0])
        let params = ParameterBuffer(m)
        m.b.grad!.assign(Tensor([0.1, 0.2, 0, 0], shape: [4]))
        XCTAssertEqual(params.clipGradNorm(1.0), (0.05 as Float).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(m.b.grad!.scalars, [0.1, 0.2, 0, 0])
        params.zeroGrad()
        XCTAssertEqual(params.gradNorm(), 0)
    }

    func testScheduleShape() {
        let s = WarmupCosineSchedule(baseRate: 1, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(s.rate(at: 0), 0)
        XCTAssertEqual(s.rate(at: 5), 0.5, accuracy: 1e-6)
        XCTAssertEqual(s.rate(at: 10), 1, accuracy: 1e-6)
        XCTAssertEqual(s.rate(at: 60), 0.5, accuracy: 1e-6)
        XCTAssertEqual(s.rate(at: 110), 0, accuracy: 1e-6)
    }
}

/// Just enough .npy reading for these fixtures: v1 headers, little-endian <f4 or <f8.
enum MiniNPY {
    struct Array { let floats: [Float]; let doubles: [Double] }

    static func read(_ url: URL) throws -> Array {
        let d = try Data(contentsOf: url)
        let hlen = Int(d[8]) | Int(d[9]) << 8
        let header = String(decoding: d[10..<(10 + hlen)], as: UTF8.self)
        let body = d.subdata(in: (10 + hlen)..<d.count)
        if header.contains("<f8") {
            let v = body.withUnsafeBytes { Swift.Array($0.bindMemory(to: Double.self)) }
            return Array(floats: v.map(Float.init), doubles: v)
        }
        let v = body.withUnsafeBytes { Swift.Array($0.bindMemory(to: Float.self)) }
        return Array(floats: v, doubles: v.map(Double.init))
    }

    /// Every .npy in a folder, by name without the extension.
    static func folder(_ dir: URL) throws -> [String: Array] {
        var out: [String: Array] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".npy") {
            out[String(f.dropLast(4))] = try read(dir.appendingPathComponent(f))
        }
        return out
    }
}
