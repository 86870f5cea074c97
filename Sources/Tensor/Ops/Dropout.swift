extension Tensor {
    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by
    /// 1/(1-p). The mask comes from `rng`, so a seed repeats it exactly. With a `shard` this
    /// tensor holds those rows of a batch-major global batch: the draws for the other rows are
    /// made and dropped, so the mask and `rng` end as they would for the whole batch.
    public func dropout(_ p: Float, rng: inout RandomGenerator, shard: BatchShard? = nil) -> Tensor {
        if p <= 0 { return self }
        let n = count
        let mask = Tensor(uninitialized: shape)
        let scale = 1 / (1 - p)
        let skip = shard.map { $0.elements(count: n) }
        if let skip { DropoutMask.skip(&rng, count: skip.before) }
        DropoutMask.fill(mask.data, count: n, p: p, scale: scale, rng: &rng)
        if let skip { DropoutMask.skip(&rng, count: skip.after) }
        let out = Tensor(uninitialized: shape)
        let x = SendablePointer(data), m = SendablePointer(mask.data), y = SendablePointer(out.data)
        parallelFor(n, grain: 1 << 14) { r in for i in r { y[i] = x[i] * m[i] } }
        return out.record("dropout", [self]) { [self, mask] g in
            _ = mask
            let dx = Tensor(uninitialized: self.shape)
            let pg = SendablePointer(g.data), pd = SendablePointer(dx.data)
            parallelFor(n, grain: 1 << 14) { r in for i in r { pd[i] = pg[i] * m[i] } }
            self.accumulateGrad(dx)
        }
    }
}
