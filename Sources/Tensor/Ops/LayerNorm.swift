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
            for i in r {
                let xi = x.p + i * d, yi = y.p + i * d
                var s: Float = 0
                for j in 0..<d { s += xi[j] }
                let mean = s / Float(d)
                var v: Float = 0
                for j in 0..<d { let c = xi[j] - mean; v += c * c }
                let rstd = 1 / (v / Float(d) + eps).squareRoot()
                st[2 * i] = mean; st[2 * i + 1] = rstd
                for j in 0..<d { yi[j] = (xi[j] - mean) * rstd * w[j] + b[j] }
            }
        }
        return out.record("layer_norm", [self, weight, bias]) { [self, stats] g in
            _ = stats
            let pg = SendablePointer(g.data)
            if self.requiresGrad {
                let dx = Tensor(uninitialized: self.shape)
                let pd = SendablePointer(dx.data)
                parallelFor(rows, grain: 8) { r in
                    for i in r {
                        let xi = x.p + i * d, gi = pg.p + i * d, di = pd.p + i * d
                        let mean = st[2 * i], rstd = st[2 * i + 1]
                        var sumG: Float = 0, sumGX: Float = 0
                        for j in 0..<d {
                            let gw = gi[j] * w[j]
                            sumG += gw
                            sumGX += gw * (xi[j] - mean) * rstd
                        }
                        let invD = 1 / Float(d)
                        for j in 0..<d {
                            let xhat = (xi[j] - mean) * rstd
                            di[j] = rstd * (gi[j] * w[j] - invD * sumG - xhat * invD * sumGX)
                        }
                    }
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
