extension Tensor {
    /// Matrix product. `a` is (..., M, K); `b` is (K, N) or has the same leading dims as `a`.
    public func matmul(_ other: Tensor) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let n = b.shape[b.rank - 1]
        precondition(b.shape[b.rank - 2] == k, "matmul of \(a.shape) and \(b.shape)")
        let batch = a.count / (m * k)
        let shared = b.rank == 2
        if !shared {
            precondition(Array(a.shape.dropLast(2)) == Array(b.shape.dropLast(2)), "batched matmul of \(a.shape) and \(b.shape)")
        }
        let outShape = Array(a.shape.dropLast(2)) + [m, n]
        let out = Tensor(uninitialized: outShape)
        if shared {
            BLAS.gemm(m: batch * m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, c: out.data, ldc: n)
        } else {
            for i in 0..<batch {
                BLAS.gemm(m: m, n: n, k: k, a: a.data + i * m * k, lda: k, b: b.data + i * k * n, ldb: n,
                          c: out.data + i * m * n, ldc: n)
            }
        }
        return out.record("matmul", [a, b]) { g in
            if a.requiresGrad {
                let da = Tensor(uninitialized: a.shape)
                if shared {
                    BLAS.gemm(transB: true, m: batch * m, n: k, k: n, a: g.data, lda: n, b: b.data, ldb: n, c: da.data, ldc: k)
                } else {
                    for i in 0..<batch {
                        BLAS.gemm(transB: true, m: m, n: k, k: n, a: g.data + i * m * n, lda: n, b: b.data + i * k * n, ldb: n,
                                  c: da.data + i * m * k, ldc: k)
                    }
                }
                a.accumulateGrad(da)
            }
            if b.requiresGrad {
                let db = Tensor(uninitialized: b.shape)
                if shared {
                    BLAS.gemm(transA: true, m: k, n: n, k: batch * m, a: a.data, lda: k, b: g.data, ldb: n, c: db.data, ldc: n)
                } else {
                    for i in 0..<batch {
                        BLAS.gemm(transA: true, m: k, n: n, k: m, a: a.data + i * m * k, lda: k, b: g.data + i * m * n, ldb: n,
                                  c: db.data + i * k * n, ldc: n)
                    }
                }
                b.accumulateGrad(db)
            }
        }
    }

    /// `x @ weight.T + bias` over the last axis, with PyTorch's `[out, in]` weight layout.
    /// The weight gradient is accumulated straight into the weight's gradient buffer.
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        let x = self
        let inF = weight.shape[1], outF = weight.shape[0]
        precondition(x.shape.last == inF, "linear: input \(x.shape) for weight \(weight.shape)")
        let rows = x.count / inF
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [outF])
        if let bias {
            let po = SendablePointer(out.data), pb = SendablePointer(bias.data)
            parallelFor(rows, grain: 256) { r in for i in r { (po.p + i * outF).update(from: pb.p, count: outF) } }
        }
        BLAS.gemm(transB: true, m: rows, n: outF, k: inF, a: x.data, lda: inF, b: weight.data, ldb: inF,
                  beta: bias == nil ? 0 : 1, c: out.data, ldc: outF)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return out.record("linear", inputs) { g in
            if x.requiresGrad {
                let dx = Tensor(uninitialized: x.shape)
                BLAS.gemm(m: rows, n: inF, k: outF, a: g.data, lda: outF, b: weight.data, ldb: inF, c: dx.data, ldc: inF)
                x.accumulateGrad(dx)
            }
            if weight.requiresGrad {
                BLAS.gemm(transA: true, m: outF, n: inF, k: rows, a: g.data, lda: outF, b: x.data, ldb: inF,
                          beta: 1, c: weight.gradBuffer(), ldc: inF)
            }
            if let bias, bias.requiresGrad {
                let db = bias.gradBuffer()
                let pd = SendablePointer(db), pg = SendablePointer(g.data)
                parallelFor(outF, grain: 32) { r in
                    for row in 0..<rows { let o = row * outF; for j in r { pd[j] += pg[o + j] } }
                }
            }
        }
    }
}
