import Tensor

/// The guide's Phase 2 reward per sequence, given the frozen model's output for the
/// predicted labels (after the timeline):
///
///     reconstruction  -10 · mean |pred - target| over the first min(T₁, T₂) frames
///     label            5 · share of frames whose label matches
///     duration         3 · (1 - |KEEP share predicted - KEEP share true|)
///     smoothness      -2 · share of adjacent frames whose label changes
public struct Reward: Sendable {
    public var reconstruction: Float
    public var label: Float
    public var duration: Float
    public var smoothness: Float
    public var total: Float { reconstruction + label + duration + smoothness }

    /// One sequence: mels are (T, n_mels) row-major; labels one per frame.
    public static func compute(predictedMel: UnsafePointer<Float>, predictedFrames: Int,
                               targetMel: UnsafePointer<Float>, targetFrames: Int, mels: Int,
                               predictedLabels: [Int], targetLabels: [Int]) -> Reward {
        let n = min(predictedFrames, targetFrames)
        var l1: Double = 0
        for i in 0..<(n * mels) { l1 += Double(Swift.abs(predictedMel[i] - targetMel[i])) }
        let recon = n > 0 ? -Float(l1 / Double(n * mels)) * 10 : 0
        let t = predictedLabels.count
        precondition(targetLabels.count == t, "reward: \(t) predicted labels for \(targetLabels.count) true ones")
        var match = 0, keepP = 0, keepT = 0, changes = 0
        for i in 0..<t {
            if predictedLabels[i] == targetLabels[i] { match += 1 }
            if predictedLabels[i] == EditLabel.keep.rawValue { keepP += 1 }
            if targetLabels[i] == EditLabel.keep.rawValue { keepT += 1 }
            if i > 0 && predictedLabels[i] != predictedLabels[i - 1] { changes += 1 }
        }
        let label = Float(match) / Float(t) * 5
        let duration = (1 - Swift.abs(Float(keepP) / Float(t) - Float(keepT) / Float(t))) * 3
        let smooth = t > 1 ? -Float(changes) / Float(t - 1) * 2 : 0
        return Reward(reconstruction: recon, label: label, duration: duration, smoothness: smooth)
    }

    /// A batch, as the reference's `reward()`: predicted (B, T₁, n_mels), target (B, T₂, n_mels),
    /// labels B·T each.
    public static func batch(predictedMel: Tensor, targetMel: Tensor, predictedLabels: [Int], targetLabels: [Int]) -> [Reward] {
        let b = predictedMel.shape[0], t1 = predictedMel.shape[1], t2 = targetMel.shape[1], m = predictedMel.shape[2]
        let t = predictedLabels.count / b
        return (0..<b).map { i in
            compute(predictedMel: predictedMel.data + i * t1 * m, predictedFrames: t1,
                    targetMel: targetMel.data + i * t2 * m, targetFrames: t2, mels: m,
                    predictedLabels: Array(predictedLabels[(i * t)..<((i + 1) * t)]),
                    targetLabels: Array(targetLabels[(i * t)..<((i + 1) * t)]))
        }
    }
}
