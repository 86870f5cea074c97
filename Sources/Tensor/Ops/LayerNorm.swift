extension Tensor {
    /// Layer normalisation over the last axis with an affine weight and bias (fused).
    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
        let d = shape.last!, rows = count / d
        precondition(weight.count == d && bias.count == d, "layerNorm: weight \(weight.shape) for input \(shape)")
        let out = Tensor(uninitialized: shape)
        // Per-row mean and 1/std, kept for the backward pass.
        let stats = Tensor(uninitialized: [rows, 2])
        let x = SendablePointer(data), y = SendablePointer(out.data), st = SendablePointer(stats.data)
        let w = SendablePointer(weight.data), b = SendablePointer(bias.data)
        parallelFor(rows, grain: 8) { r in
            LayerNormRows.forward(x.p, y.p, st.p, w.p, b.p, rows: r, d: d, eps: eps)
        }
        return out.record("layer_norm", [self, weight, bias]) { [self, stats] g in
            _ = stats
            let pg = SendablePointer(g.data)
            if self.requiresGrad {
                let dx = Tensor(uninitialized: self.shape)
                let pd = SendablePointer(dx.data)
                parallelFor(rows, grain: 8) { r in
                    LayerNormRows.backward(x.p, pg.p, pd.p, st.p, w.p, rows: r, d: d)
                }
                self.accumulateGrad(dx)
            }
            if weight.requiresGrad || bias.requiresGrad {
                // Column sums, split by columns so that no two workers write one slot.
                let dw = SendablePointer(weight.gradBuffer()), db = SendablePointer(bias.gradBuffer())
                parallelFor(d, grain: 16) { r in
                    for i in 0..<rows {
                        let xi = x.p + i * d, gi = pg.p + i * d
                        let mean = st[2 * i], rstd = st[2 * i + 1]
                        for j in r { dw[j] += gi[j] * (xi[j] - mean) * rstd; db[j] += gi[j] }
                    }
                }
            }
        }
    }
}

/// Layer norm's row kernels. Each row's sums run in its own order, element by element, as a
/// plain loop would; four rows run side by side so that their additions overlap instead of
/// waiting on one another.
enum LayerNormRows {
    static func forward(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ st: UnsafeMutablePointer<Float>,
                        _ w: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, rows r: Range<Int>, d: Int, eps: Float) {
        var i = r.lowerBound
        while i + 4 <= r.upperBound {
            let x0 = x + i * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            for j in 0..<d { s0 += x0[j]; s1 += x1[j]; s2 += x2[j]; s3 += x3[j] }
            let m0 = s0 / Float(d), m1 = s1 / Float(d), m2 = s2 / Float(d), m3 = s3 / Float(d)
            var v0: Float = 0, v1: Float = 0, v2: Float = 0, v3: Float = 0
            for j in 0..<d {
                let c0 = x0[j] - m0, c1 = x1[j] - m1, c2 = x2[j] - m2, c3 = x3[j] - m3
                v0 += c0 * c0; v1 += c1 * c1; v2 += c2 * c2; v3 += c3 * c3
            }
            normalize(x0, y + i * d, st + 2 * i, w, b, d: d, mean: m0, variance: v0, eps: eps)
            normalize(x1, y + (i + 1) * d, st + 2 * (i + 1), w, b, d: d, mean: m1, variance: v1, eps: eps)
            normalize(x2, y + (i + 2) * d, st + 2 * (i + 2), w, b, d: d, mean: m2, variance: v2, eps: eps)
            normalize(x3, y + (i + 3) * d, st + 2 * (i + 3), w, b, d: d, mean: m3, variance: v3, eps: eps)
            i += 4
        }
        while i < r.upperBound {
            let xi = x + i * d
            var s: Float = 0
            for j in 0..<d { s += xi[j] }
            let mean = s / Float(d)
            var v: Float = 0
            for j in 0..<d { let c = xi[j] - mean; v += c * c }
            normalize(xi, y + i * d, st + 2 * i, w, b, d: d, mean: mean, variance: v, eps: eps)
            i += 1
        }
    }

    /// Writes one row's output and its (mean, 1/std); `variance` is the sum of squared deviations.
    @inline(__always)
    static func normalize(_ xi: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>, _ st: UnsafeMutablePointer<Float>,
                          _ w: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, d: Int, mean: Float, variance: Float, eps: Float) {
        let rstd = 1 / (variance / Float(d) + eps).squareRoot()
        st[0] = mean; st[1] = rstd
        for j in 0..<d { yi[j] = (xi[j] - mean) * rstd * w[j] + b[j] }
    }

    static func backward(_ x: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         _ st: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>, rows r: Range<Int>, d: Int) {
        var i = r.lowerBound
        while i + 4 <= r.upperBound {
            let x0 = x + i * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
            let g0 = g + i * d, g1 = g0 + d, g2 = g1 + d, g3 = g2 + d
            let m0 = st[2 * i], r0 = st[2 * i + 1], m1 = st[2 * i + 2], r1 = st[2 * i + 3]
            let m2 = st[2 * i + 4], r2 = st[2 * i + 5], m3 = st[2 * i + 6], r3 = st[2 * i + 7]
            var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
            var c0: Float = 0, c1: Float = 0, c2: Float = 0, c3: Float = 0
            for j in 0..<d {
                let gw0 = g0[j] * w[j], gw1 = g1[j] * w[j], gw2 = g2[j] * w[j], gw3 = g3[j] * w[j]
                a0 += gw0; a1 += gw1; a2 += gw2; a3 += gw3
                c0 += gw0 * (x0[j] - m0) * r0; c1 += gw1 * (x1[j] - m1) * r1
                c2 += gw2 * (x2[j] - m2) * r2; c3 += gw3 * (x3[j] - m3) * r3
            }
            gradient(x0, g0, dx + i * d, w, d: d, mean: m0, rstd: r0, sumG: a0, sumGX: c0)
            gradient(x1, g1, dx + (i + 1) * d, w, d: d, mean: m1, rstd: r1, sumG: a1, sumGX: c1)
            gradient(x2, g2, dx + (i + 2) * d, w, d: d, mean: m2, rstd: r2, sumG: a2, sumGX: c2)
            gradient(x3, g3, dx + (i + 3) * d, w, d: d, mean: m3, rstd: r3, sumG: a3, sumGX: c3)
            i += 4
        }
        while i < r.upperBound {
            let xi = x + i * d, gi = g + i * d
            let mean = st[2 * i], rstd = st[2 * i + 1]
            var sumG: Float = 0, sumGX: Float = 0
            for j in 0..<d {
                let gw = gi[j] * w[j]
                sumG += gw
                sumGX += gw * (xi[j] - mean) * rstd
            }
            gradient(xi, gi, dx + i * d, w, d: d, mean: mean, rstd: rstd, sumG: sumG, sumGX: sumGX)
            i += 1
        }
    }

    @inline(__always)
    static func gradient(_ xi: UnsafeMutablePointer<Float>, _ gi: UnsafeMutablePointer<Float>, _ di: UnsafeMutablePointer<Float>,
                         _ w: UnsafeMutablePointer<Float>, d: Int, mean: Float, rstd: Float, sumG: Float, sumGX: Float) {
        let invD = 1 / Float(d)
        for j in 0..<d {
            let xhat = (xi[j] - mean) * rstd
            di[j] = rstd * (gi[j] * w[j] - invD * sumG - xhat * invD * sumGX)
        }
    }
}

extension Tensor {
    /// `(self + residual).layerNorm(…)`, the post-norm transformer's step. Without a backward
    /// pass the sum is never stored: each row is added and normalised in one pass, with the
    /// same numbers as the two ops.
    public func addLayerNorm(_ residual: Tensor, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
        guard !Tensor.needsGrad(self, residual, weight, bias), shape == residual.shape else {
            return (self + residual).layerNorm(weight: weight, bias: bias, eps: eps)
        }
        let d = shape.last!, rows = count / d
        precondition(weight.count == d && bias.count == d, "layerNorm: weight \(weight.shape) for input \(shape)")
        let out = Tensor(uninitialized: shape)
        let a = SendablePointer(data), r = SendablePointer(residual.data), y = SendablePointer(out.data)
        let w = SendablePointer(weight.data), b = SendablePointer(bias.data)
        parallelFor(rows, grain: 8) { range in
            let block = 64
            let sum = Storage(uninitializedCount: block * d), stats = Storage(uninitializedCount: 2 * block)
            var i = range.lowerBound
            while i < range.upperBound {
                let n = Swift.min(block, range.upperBound - i)
                let s = sum.pointer, ai = a.p + i * d, ri = r.p + i * d
                for j in 0..<(n * d) { s[j] = ai[j] + ri[j] }
                LayerNormRows.forward(s, y.p + i * d, stats.pointer, w.p, b.p, rows: 0..<n, d: d, eps: eps)
                i += n
            }
        }
        Profiler.lap(op: "layer_norm")
        return out
    }

    /// `linear(weight:bias:).relu()`; without a backward pass the ReLU is applied in place.
    public func linearReLU(weight: Tensor, bias: Tensor?) -> Tensor {
        let h = linear(weight: weight, bias: bias)
        guard !Tensor.needsGrad(h) else { return h.relu() }
        let n = h.count, p = SendablePointer(h.data)
        parallelFor(n, grain: 1 << 14) { r in for i in r { p[i] = p[i] > 0 ? p[i] : 0 } }
        Profiler.lap(op: "relu")
        return h
    }
}
