import Foundation

extension Tensor {
    /// Softmax over the last axis.
    public func softmax() -> Tensor {
        let d = shape.last ?? 1, rows = count / d
        let out = Tensor(uninitialized: shape)
        let x = SendablePointer(data), y = SendablePointer(out.data)
        parallelFor(rows, grain: 16) { r in for i in r { Softmax.row(x.p + i * d, y.p + i * d, d) } }
        return out.record("softmax", [self]) { [self] g in
            let dx = Tensor(uninitialized: self.shape)
            let pg = SendablePointer(g.data), pd = SendablePointer(dx.data)
            parallelFor(rows, grain: 16) { r in
                for i in r { Softmax.rowBackward(y.p + i * d, pg.p + i * d, pd.p + i * d, d) }
            }
            self.accumulateGrad(dx)
        }
    }

    /// Log-softmax over the last axis. Rows that are all -inf stay -inf.
    public func logSoftmax() -> Tensor {
        let d = shape.last ?? 1, rows = count / d
        let out = Tensor(uninitialized: shape)
        let x = SendablePointer(data), y = SendablePointer(out.data)
        parallelFor(rows, grain: 16) { r in
            for i in r {
                let xi = x.p + i * d, yi = y.p + i * d
                var m = -Float.infinity
                for j in 0..<d { m = Swift.max(m, xi[j]) }
                var s: Float = 0
                for j in 0..<d { s += Foundation.exp(xi[j] - m) }
                let lse = m + Foundation.log(s)
                for j in 0..<d { yi[j] = xi[j] - lse }
            }
        }
        return out.record("log_softmax", [self]) { [self] g in
            let dx = Tensor(uninitialized: self.shape)
            let pg = SendablePointer(g.data), pd = SendablePointer(dx.data)
            parallelFor(rows, grain: 16) { r in
                for i in r {
                    let yi = y.p + i * d, gi = pg.p + i * d, di = pd.p + i * d
                    var s: Float = 0
                    for j in 0..<d { s += gi[j] }
                    for j in 0..<d { di[j] = gi[j] - Foundation.exp(yi[j]) * s }
                }
            }
            self.accumulateGrad(dx)
        }
    }
}

/// Row kernels shared by softmax and attention.
public enum Softmax {
    /// y = softmax(x) over n values, vectorised; an all -inf row gives zeros (no NaN).
    /// `x` and `y` may be the same buffer.
    @inline(__always)
    public static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = FastMath.max(x, n)
        if m == -Float.infinity { y.update(repeating: 0, count: n); return }
        if UnsafePointer(y) == x {
            // In place: one pointer, so LLVM vectorises without a runtime overlap check that
            // would send equal pointers down the scalar path.
            for j in 0..<n { y[j] = FastMath.exp(y[j] - m) }
        } else {
            for j in 0..<n { y[j] = FastMath.exp(x[j] - m) }
        }
        let inv = 1 / FastMath.sum(y, n)
        for j in 0..<n { y[j] *= inv }
    }

    /// dx = y * (g - sum(g * y)).
    @inline(__always)
    public static func rowBackward(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        typealias V = FastMath.V
        var vd = V()
        var j = 0
        while j + 8 <= n { vd += FastMath.load(g + j) * FastMath.load(y + j); j += 8 }
        var dot = vd.sum()
        while j < n { dot += g[j] * y[j]; j += 1 }
        j = 0
        while j + 8 <= n { FastMath.store(FastMath.load(y + j) * (FastMath.load(g + j) - dot), dx + j); j += 8 }
        while j < n { dx[j] = y[j] * (g[j] - dot); j += 1 }
    }
}
