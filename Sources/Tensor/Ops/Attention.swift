import Foundation

extension Tensor {
    /// Multi-head scaled dot-product attention, fused: `softmax(Q Kᵀ / √dₕ + mask) V` per head.
    ///
    /// - `self` is the packed projection (B, T, 3·d) with Q, K, V side by side, as
    ///   `nn.MultiheadAttention`'s `in_proj` produces it.
    /// - `keyPaddingMask` has B·T entries; true marks a key to ignore.
    /// - With `dropout > 0` the attention weights are dropped, as PyTorch does in training;
    ///   each (batch, head) pair's mask comes from its own stream, numbered in the global batch
    ///   when `shard` says which of its rows this is.
    ///
    /// Returns (B, T, d) with the heads concatenated. Each (batch, head) pair runs on one core
    /// with single-threaded BLAS calls that read Q, K and V in place through leading dimensions.
    public func multiHeadAttention(heads: Int, keyPaddingMask: [Bool]? = nil, dropout: Float = 0,
                                   rng: inout RandomGenerator, shard: BatchShard? = nil) -> Tensor {
        precondition(rank == 3 && shape[2] % 3 == 0, "attention needs packed (B, T, 3d), got \(shape)")
        let b = shape[0], t = shape[1], d = shape[2] / 3
        precondition(d % heads == 0, "d=\(d) is not divisible by \(heads) heads")
        if let m = keyPaddingMask { precondition(m.count == b * t, "key padding mask of \(m.count) for B·T=\(b * t)") }
        let dh = d / heads, ld = 3 * d, tt = t * t
        let scale = 1 / Float(dh).squareRoot()
        let pairs = b * heads
        // Without a backward pass the weights of a (batch, head) pair live only while that pair
        // runs, in a scratch block per worker that stays in cache.
        let keepWeights = Tensor.needsGrad(self)
        let probs = Tensor(uninitialized: keepWeights ? [pairs, t, t] : [1])
        // A pair's dropout mask is a function of (seed, pair): the backward pass draws it again
        // instead of keeping B·heads·T² floats alive between the passes.
        let dropping = dropout > 0
        let seed = rng.next()
        let firstPair = shard.map { $0.offset * (pairs / max($0.rows, 1)) } ?? 0
        if let shard { precondition(pairs % max(shard.rows, 1) == 0, "attention batch \(b) does not split into \(shard.rows) rows") }
        let out = Tensor(uninitialized: [b, t, d])
        let qkv = SendablePointer(data), po = SendablePointer(out.data), pp = SendablePointer(probs.data)
        let maskFloats: [Float]? = keyPaddingMask.map { $0.map { $0 ? -Float.infinity : 0 } }
        let dropScale = 1 / (1 - dropout)
        /// The pair's mask, or with `times` the products `times[i] · mask[i]`.
        @Sendable func pairMask(_ pair: Int, into m: UnsafeMutablePointer<Float>, times: UnsafePointer<Float>? = nil) {
            var g = RandomGenerator(seed: seed &+ UInt64(firstPair + pair) &* 0x9E37_79B9_7F4A_7C15)
            DropoutMask.fill(m, count: tt, p: dropout, scale: dropScale, rng: &g, times: times, parallel: false)
        }
        maskFloats.withOptionalPointer { maskPtr in
            let mp = maskPtr.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
            BLAS.singleThreaded {
                parallelFor(pairs) { r in
                    let scratch = dropping ? Storage(uninitializedCount: tt) : nil
                    let ownBlock = keepWeights ? nil : Storage(uninitializedCount: tt)
                    for pair in r {
                        let bi = pair / heads, h = pair % heads
                        let q = qkv.p + bi * t * ld + h * dh, k = q + d, v = q + 2 * d
                        let s = ownBlock?.pointer ?? (pp.p + pair * tt)
                        BLAS.gemm(transB: true, m: t, n: t, k: dh, alpha: scale, a: q, lda: ld, b: k, ldb: ld, c: s, ldc: t)
                        for i in 0..<t {
                            let row = s + i * t
                            if let mp { let m = mp.p + bi * t; for j in 0..<t { row[j] += m[j] } }
                            Softmax.row(row, row, t)
                        }
                        var weights = UnsafePointer(s)
                        if let scratch {
                            pairMask(pair, into: scratch.pointer, times: s)
                            weights = UnsafePointer(scratch.pointer)
                        }
                        BLAS.gemm(m: t, n: dh, k: t, a: weights, lda: t, b: v, ldb: ld, c: po.p + bi * t * d + h * dh, ldc: d)
                    }
                }
            }
        }
        return out.record("attention", [self]) { [self, probs] g in
            _ = probs
            let dqkv = Tensor(uninitialized: self.shape)
            let pg = SendablePointer(g.data), pd = SendablePointer(dqkv.data)
            BLAS.singleThreaded {
                parallelFor(pairs) { r in
                    let scratchStorage = dropping ? Storage(uninitializedCount: 2 * tt) : nil
                    let dPStorage = Storage(uninitializedCount: tt)
                    let dp = dPStorage.pointer
                    for pair in r {
                        let bi = pair / heads, h = pair % heads
                        let q = qkv.p + bi * t * ld + h * dh, k = q + d, v = q + 2 * d
                        let dq = pd.p + bi * t * ld + h * dh, dk = dq + d, dv = dq + 2 * d
                        let go = pg.p + bi * t * d + h * dh
                        let p = pp.p + pair * tt
                        var weights = UnsafePointer(p)
                        var mask: UnsafeMutablePointer<Float>? = nil
                        if let scratchStorage {
                            let m = scratchStorage.pointer, w = m + tt
                            pairMask(pair, into: m)
                            for i in 0..<tt { w[i] = p[i] * m[i] }
                            weights = UnsafePointer(w)
                            mask = m
                        }
                        // dV = Pᵀ dO ; dP = dO Vᵀ
                        BLAS.gemm(transA: true, m: t, n: dh, k: t, a: weights, lda: t, b: go, ldb: d, c: dv, ldc: ld)
                        BLAS.gemm(transB: true, m: t, n: t, k: dh, a: go, lda: d, b: v, ldb: ld, c: dp, ldc: t)
                        if let m = mask { for i in 0..<tt { dp[i] *= m[i] } }
                        for i in 0..<t { Softmax.rowBackward(p + i * t, dp + i * t, dp + i * t, t) }
                        // dQ = scale · dS K ; dK = scale · dSᵀ Q
                        BLAS.gemm(m: t, n: dh, k: t, alpha: scale, a: dp, lda: t, b: k, ldb: ld, c: dq, ldc: ld)
                        BLAS.gemm(transA: true, m: t, n: dh, k: t, alpha: scale, a: dp, lda: t, b: q, ldb: ld, c: dk, ldc: ld)
                    }
                }
            }
            self.accumulateGrad(dqkv)
        }
    }
}

extension Optional where Wrapped == [Float] {
    func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
        switch self {
        case .some(let a): return try a.withUnsafeBufferPointer { try body($0.baseAddress) }
        case .none: return try body(nil)
        }
    }
}
