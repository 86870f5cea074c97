extension Tensor {
    /// Sum of every element, as a scalar tensor. Accumulates in double precision.
    public func sum() -> Tensor {
        let src = SendablePointer(data)
        let total = parallelSum(count, minChunk: 65536) { range in
            var acc = SIMD8<Double>()
            let hi = range.upperBound
            var i = range.lowerBound
            while i + 8 <= hi {
                acc += SIMD8<Double>(SIMD8<Float>(UnsafeRawPointer(src.p + i).loadUnaligned(as: SIMD8<Float>.self)))
                i += 8
            }
            var s = acc.sum()
            while i < hi { s += Double(src[i]); i += 1 }
            return s
        }
        let out = Tensor(scalar: Float(total))
        return out.record("sum", [self]) { [self] g in
            self.accumulateGrad(Tensor.full(self.shape, g.data[0]))
        }
    }

    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Sum over `axes`, keeping them as size 1 when `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let ax = Set(axes.map { Shape.axis($0, rank: rank) })
        let kept = (0..<rank).map { ax.contains($0) ? 1 : shape[$0] }
        let out = Tensor.zeros(kept)
        // Walk the input; each element adds into its output slot (output strides 0 on reduced axes).
        let bc = Broadcast(shape, kept)
        let po = out.data, pi = data
        var acc = [Double](repeating: 0, count: out.count)
        bc.forEachIndex { i, _, ob in acc[ob] += Double(pi[i]) }
        for j in 0..<out.count { po[j] = Float(acc[j]) }
        let result = out.record("sum_axes", [self]) { [self] g in
            let dx = Tensor(uninitialized: self.shape)
            let pg = g.data, pd = dx.data
            Broadcast(self.shape, kept).forEachIndex { i, _, ob in pd[i] = pg[ob] }
            self.accumulateGrad(dx)
        }
        return keepDims ? result : result.reshaped((0..<rank).filter { !ax.contains($0) }.map { shape[$0] })
    }

    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map { Shape.axis($0, rank: rank) }).map { shape[$0] }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(n))
    }
}
