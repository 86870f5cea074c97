import Foundation
import NN
import Tensor

/// The guide's Phase 1 table on a set of windows: L1, multi-scale STFT loss, consistency,
/// KEEP preservation and L1 per label, counted over real (unpadded) frames.
public struct Phase1Metrics: Codable, Sendable {
    public var l1: Double
    public var stft: Double
    public var consistency: Double
    /// Share of KEEP frames whose mean absolute error against the target is below `keepThreshold`.
    public var keepPreservation: Double
    /// The per-frame mean absolute error under which a KEEP frame counts as preserved.
    public var keepThreshold: Double = Phase1Evaluation.keepThreshold
    public var perLabelL1: [String: Double]
    public var frames: Int

    /// The guide's weighted total (validation selects the best checkpoint on it).
    public func total(_ w: Phase1LossWeights) -> Double {
        Double(w.l1) * l1 + Double(w.stft) * stft + Double(w.consistency) * consistency
    }

    enum CodingKeys: String, CodingKey {
        case l1, stft, consistency, frames
        case keepPreservation = "keep_preservation", perLabelL1 = "per_label_l1", keepThreshold = "keep_threshold"
    }

    /// "KEEP preservation (mean abs error < 0.05)": the figure's name with its threshold.
    public var keepPreservationName: String { "KEEP preservation (mean abs error < \(String(format: "%g", keepThreshold)))" }

    /// The guide's targets: L1 < 0.1, STFT < 1.0, KEEP preservation > 95%.
    public var meetsTargets: (l1: Bool, stft: Bool, keep: Bool) { (l1 < 0.1, stft < 1.0, keepPreservation > 0.95) }
}

public enum Phase1Evaluation {
    public static let keepThreshold = 0.05

    /// Evaluates `model` on `batches` through `ReconstructionModel.infer`. `onBatch` sees each
    /// batch's prediction, for plotting.
    /// With `clamp`, predictions are clamped to [0, 1] (the normalised mel's range) first.
    public static func evaluate(_ model: ReconstructionModel, batches: [PairedMelDataset.Batch], clamp: Bool = true,
                                onBatch: ((PairedMelDataset.Batch, Tensor) -> Void)? = nil) -> Phase1Metrics {
        let stftLoss = MultiScaleSTFTLoss()
        var absSum = 0.0, keepAbsSum = 0.0, frames = 0, stftSum = 0.0, stftWeight = 0.0
        var keepFrames = 0, keepGood = 0
        var labelSum = [Double](repeating: 0, count: EditLabel.count), labelFrames = [Int](repeating: 0, count: EditLabel.count)
        for batch in batches {
            let pred = model.infer(batch.mel, labels: batch.labels, clamp: clamp)
            onBatch?(batch, pred)
            let b = batch.mel.shape[0], t = batch.mel.shape[1], m = batch.mel.shape[2]
            for i in 0..<b {
                for f in 0..<batch.lengths[i] {
                    let o = (i * t + f) * m
                    var s: Float = 0
                    for j in 0..<m { s += abs(pred.data[o + j] - batch.target.data[o + j]) }
                    let label = batch.labels[i * t + f]
                    absSum += Double(s)
                    labelSum[label] += Double(s)
                    labelFrames[label] += 1
                    frames += 1
                    if label == EditLabel.keep.rawValue {
                        keepAbsSum += Double(s)
                        keepFrames += 1
                        if Double(s / Float(m)) < keepThreshold { keepGood += 1 }
                    }
                }
                // The STFT loss of each sequence alone, unpadded, weighted by its length. A
                // window whose target is silent everywhere (all cut) has no spectral
                // convergence to speak of (0/0) and is left out of this term.
                let len = batch.lengths[i]
                var energy: Float = 0
                for j in 0..<(len * m) { energy += batch.target.data[i * t * m + j] * batch.target.data[i * t * m + j] }
                if len * m > 1024 && energy > 0 {
                    let p = pred.slice(axis: 0, i..<(i + 1)).slice(axis: 1, 0..<len)
                    let y = batch.target.slice(axis: 0, i..<(i + 1)).slice(axis: 1, 0..<len)
                    stftSum += Double(noGrad { stftLoss(p, y) }.item) * Double(len)
                    stftWeight += Double(len)
                }
            }
        }
        let m = Double(batches.first?.mel.shape[2] ?? 128)
        var perLabel: [String: Double] = [:]
        for l in EditLabel.actions where labelFrames[l.rawValue] > 0 {
            perLabel[l.name] = labelSum[l.rawValue] / (Double(labelFrames[l.rawValue]) * m)
        }
        return Phase1Metrics(l1: absSum / max(1, Double(frames) * m), stft: stftSum / max(stftWeight, 1),
                             consistency: keepAbsSum / max(1, Double(frames) * m),
                             keepPreservation: keepFrames > 0 ? Double(keepGood) / Double(keepFrames) : 1,
                             keepThreshold: keepThreshold, perLabelL1: perLabel, frames: frames)
    }
}
