extension Tensor {
    /// 1-D convolution as `torch.nn.functional.conv1d` with stride 1: input (B, Cin, L),
    /// weight (Cout, Cin, K), zero padding `padding` on both sides. Runs as im2col plus one
    /// `sgemm` per batch item.
    public func conv1d(weight: Tensor, bias: Tensor?, padding: Int) -> Tensor {
        precondition(rank == 3 && weight.rank == 3 && weight.shape[1] == shape[1],
                     "conv1d: input \(shape) for weight \(weight.shape)")
        let b = shape[0], cin = shape[1], l = shape[2]
        let cout = weight.shape[0], k = weight.shape[2]
        let lout = l + 2 * padding - k + 1
        precondition(lout > 0, "conv1d: input length \(l) too short for kernel \(k)")
        let ck = cin * k
        // col[b][(c·K + j), t] = x[b, c, t + j - padding]
        let cols = Tensor(uninitialized: [b, ck, lout])
        let px = SendablePointer(data), pc = SendablePointer(cols.data)
        parallelFor(b * cin, grain: 4) { r in
            for bc in r {
                let bi = bc / cin, c = bc % cin
                let src = px.p + (bi * cin + c) * l
                for j in 0..<k {
                    let dst = pc.p + (bi * ck + c * k + j) * lout
                    for t in 0..<lout {
                        let s = t + j - padding
                        dst[t] = (s >= 0 && s < l) ? src[s] : 0
                    }
                }
            }
        }
        let out = Tensor(uninitialized: [b, cout, lout])
        for bi in 0..<b {
            let o = out.data + bi * cout * lout
            if let bias { for c in 0..<cout { (o + c * lout).update(repeating: bias.data[c], count: lout) } }
            BLAS.gemm(m: cout, n: lout, k: ck, a: weight.data, lda: ck, b: cols.data + bi * ck * lout, ldb: lout,
                      beta: bias == nil ? 0 : 1, c: o, ldc: lout)
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.record("conv1d", inputs) { [self] g in
            if weight.requiresGrad {
                let dw = weight.gradBuffer()
                for bi in 0..<b {
                    BLAS.gemm(transB: true, m: cout, n: ck, k: lout, a: g.data + bi * cout * lout, lda: lout,
                              b: cols.data + bi * ck * lout, ldb: lout, beta: 1, c: dw, ldc: ck)
                }
            }
            if let bias, bias.requiresGrad {
                let db = bias.gradBuffer()
                for bi in 0..<b { for c in 0..<cout {
                    let row = g.data + (bi * cout + c) * lout
                    var s: Float = 0
                    for t in 0..<lout { s += row[t] }
                    db[c] += s
                } }
            }
            if self.requiresGrad {
                let dcols = Tensor(uninitialized: [b, ck, lout])
                for bi in 0..<b {
                    BLAS.gemm(transA: true, m: ck, n: lout, k: cout, a: weight.data, lda: ck, b: g.data + bi * cout * lout,
                              ldb: lout, c: dcols.data + bi * ck * lout, ldc: lout)
                }
                let dx = Tensor.zeros(self.shape)
                let pdx = SendablePointer(dx.data), pdc = SendablePointer(dcols.data)
                parallelFor(b * cin, grain: 4) { r in
                    for bc in r {
                        let bi = bc / cin, c = bc % cin
                        let dst = pdx.p + (bi * cin + c) * l
                        for j in 0..<k {
                            let src = pdc.p + (bi * ck + c * k + j) * lout
                            for t in 0..<lout {
                                let s = t + j - padding
                                if s >= 0 && s < l { dst[s] += src[t] }
                            }
                        }
                    }
                }
                self.accumulateGrad(dx)
            }
        }
    }
}
