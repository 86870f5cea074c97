import Tensor

/// Phase 1's weighted sum: L1 + MSE + multi-scale STFT + edit consistency, with the guide's
/// default weights (1, 0, 1, 0.5).
public struct Phase1LossWeights: Codable, Equatable, Sendable {
    public var l1: Float = 1
    public var mse: Float = 0
    public var stft: Float = 1
    public var consistency: Float = 0.5
    public init(l1: Float = 1, mse: Float = 0, stft: Float = 1, consistency: Float = 0.5) {
        self.l1 = l1; self.mse = mse; self.stft = stft; self.consistency = consistency
    }
}

/// The terms of one evaluation of the Phase 1 loss; `total` carries the graph.
public struct Phase1Losses {
    public let total: Tensor
    public let l1: Tensor
    public let mse: Tensor
    public let stft: Tensor
    public let consistency: Tensor

    public var values: [String: Float] {
        ["total": total.item, "l1": l1.item, "mse": mse.item, "stft": stft.item, "consistency": consistency.item]
    }
}

/// Penalises any change where the label is KEEP: mean of |pred - target| over all elements,
/// with non-KEEP frames contributing zero.
public struct EditConsistencyLoss: Sendable {
    public init() {}
    public func callAsFunction(_ absDiff: Tensor, labels: [Int], over batch: BatchReduction = .local) -> Tensor {
        let b = absDiff.shape[0], t = absDiff.shape[1]
        let keep = Tensor(labels.map { $0 == EditLabel.keep.rawValue ? Float(1) : 0 }, shape: [b, t, 1])
        return batch.mean(absDiff * keep)
    }
}

public struct Phase1Loss: Sendable {
    public var weights: Phase1LossWeights
    public var stftLoss = MultiScaleSTFTLoss()
    /// Zero padded (PAD-labelled) frames out of every term. Off, the losses are exactly the
    /// reference's `phase1_losses`, which has no notion of padding.
    public var maskPadding: Bool

    public init(weights: Phase1LossWeights = .init(), maskPadding: Bool = true) {
        self.weights = weights
        self.maskPadding = maskPadding
    }

    /// The losses of a batch. PAD labels mark padding: as the guide's masked `l1_loss`, padded
    /// frames contribute zero to every term (pred and target are both zeroed there before the
    /// STFT) while the means still run over the whole batch.
    ///
    /// `batch` says which rows of the global batch these are in a data-parallel run; every
    /// term is then the whole batch's.
    public func callAsFunction(pred: Tensor, target: Tensor, labels: [Int], over batch: BatchReduction = .local) -> Phase1Losses {
        let b = pred.shape[0], t = pred.shape[1]
        let padded = maskPadding && labels.contains(EditLabel.pad.rawValue)
        let mask = padded ? Tensor(labels.map { $0 == EditLabel.pad.rawValue ? Float(0) : 1 }, shape: [b, t, 1]) : nil
        let p = mask.map { pred * $0 } ?? pred
        let y = mask.map { target.detached() * $0 } ?? target.detached()
        let diff = p - y
        let absDiff = diff.abs()
        let l1 = batch.mean(absDiff)
        let mse = batch.mean(diff * diff)
        let stft = stftLoss(p, y, over: batch)
        let consistency = EditConsistencyLoss()(absDiff, labels: labels, over: batch)
        var total = l1 * weights.l1 + stft * weights.stft + consistency * weights.consistency
        if weights.mse != 0 { total = total + mse * weights.mse }
        return Phase1Losses(total: total, l1: l1, mse: mse, stft: stft, consistency: consistency)
    }
}
