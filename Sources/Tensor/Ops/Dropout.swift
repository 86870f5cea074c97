extension Tensor {
    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by
    /// 1/(1-p). The mask comes from `rng`, so a seed repeats it exactly.
    public func dropout(_ p: Float, rng: inout RandomGenerator) -> Tensor {
        if p <= 0 { return self }
        let n = count
        let mask = Tensor(uninitialized: shape)
        let scale = 1 / (1 - p)
        for i in 0..<n { mask.data[i] = rng.nextFloat() < p ? 0 : scale }
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
