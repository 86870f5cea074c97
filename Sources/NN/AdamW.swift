import Foundation
import Tensor

/// AdamW with PyTorch's semantics: decoupled weight decay, bias-corrected moments.
public final class AdamW {
    public let parameters: ParameterBuffer
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: Float
    /// Steps taken so far.
    public private(set) var step: Int = 0
    /// First and second moments, one float per parameter each.
    public let m: Storage
    public let v: Storage

    public init(_ parameters: ParameterBuffer, learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.learningRate = learningRate
        beta1 = betas.0
        beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        m = Storage(zeros: parameters.count)
        v = Storage(zeros: parameters.count)
    }

    /// One update from the gradients in `parameters.grads`.
    public func update() {
        step += 1
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = eps
        let decay = 1 - lr * weightDecay
        let bc1 = 1 - Foundation.pow(Double(b1), Double(step))
        let bc2 = 1 - Foundation.pow(Double(b2), Double(step))
        let stepSize = Float(Double(lr) / bc1)
        let bc2Sqrt = Float(bc2.squareRoot())
        let p = SendablePointer(parameters.values.pointer), g = SendablePointer(parameters.grads.pointer)
        let pm = SendablePointer(m.pointer), pv = SendablePointer(v.pointer)
        parallelFor(parameters.count, grain: 1 << 14) { r in
            for i in r {
                let gi = g[i]
                p[i] *= decay
                let mi = b1 * pm[i] + (1 - b1) * gi
                let vi = b2 * pv[i] + (1 - b2) * gi * gi
                pm[i] = mi; pv[i] = vi
                p[i] -= stepSize * mi / (vi.squareRoot() / bc2Sqrt + eps)
            }
        }
    }

    /// Restores a saved state (moments and step count).
    public func restore(step: Int, m: UnsafePointer<Float>, v: UnsafePointer<Float>) {
        self.step = step
        self.m.pointer.update(from: m, count: parameters.count)
        self.v.pointer.update(from: v, count: parameters.count)
    }
}
