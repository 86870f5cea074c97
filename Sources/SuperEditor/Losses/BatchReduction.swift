import Tensor

/// Means and sums over a batch that may be split over the ranks of a data-parallel run.
///
/// A rank holds `shard`'s rows of the global batch; its sums go through
/// `Tensor.summed(over:)`, so every rank computes the whole batch's loss and the gradients'
/// sum over the ranks is the single-process gradient. On one process (`local`) these are the
/// plain `sum()` and `mean()`, op for op.
public struct BatchReduction {
    public let group: Collective
    public let shard: BatchShard?

    public init(group: Collective, shard: BatchShard?) {
        self.group = group
        self.shard = group.size > 1 ? shard : nil
    }

    public static var local: BatchReduction { BatchReduction(group: SingleProcess(), shard: nil) }

    /// The sum of every element of the global batch.
    public func sum(_ x: Tensor) -> Tensor { shard == nil ? x.sum() : x.sum().summed(over: group) }

    /// The mean over every element of the global batch (`x` batch-major, this rank's rows).
    public func mean(_ x: Tensor) -> Tensor {
        guard let shard else { return x.mean() }
        return sum(x) * (1 / Float(Swift.max(x.count / Swift.max(shard.rows, 1) * shard.total, 1)))
    }

    /// A plain number summed over the ranks (no gradient).
    public func sum(_ value: Float) -> Float { shard == nil ? value : Float(group.sum(Double(value))) }

    /// Rows of the global batch.
    public func rows(_ local: Int) -> Int { shard?.total ?? local }
}
