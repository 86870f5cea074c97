extension Tensor {
    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by
    /// 1/(1-p). The mask comes from `rng`, so a seed repeats it exactly. With a `shard` this
    /// tensor holds those rows of a batch-major global batch: the draws for the other rows are
    /// skipped, so the mask and `rng` end as they would for the whole batch.
    public func dropout(_ p: Float, rng: inout RandomGenerator, shard: BatchShard? = nil) -> Tensor {
        if p <= 0 { return self }
        let n = count
        let scale = 1 / (1 - p)
        let skip = shard.map { $0.elements(count: n) }
        if let skip { DropoutMask.skip(&rng, count: skip.before) }
        // The mask is not kept: the backward pass draws it again from where this one started.
        let start = rng
        let out = Tensor(uninitialized: shape)
        DropoutMask.fill(out.data, count: n, p: p, scale: scale, rng: &rng, times: data)
        if let skip { DropoutMask.skip(&rng, count: skip.after) }
        return out.record("dropout", [self]) { [self] g in
            let dx = Tensor(uninitialized: self.shape)
            var again = start
            DropoutMask.fill(dx.data, count: n, p: p, scale: scale, rng: &again, times: g.data)
            self.accumulateGrad(dx)
        }
    }
}
