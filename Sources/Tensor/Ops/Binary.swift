/// A broadcasting elementwise function of two tensors with its partial derivatives.
public protocol BinaryKernel {
    static var name: String { get }
    static func forward(_ a: Float, _ b: Float) -> Float
    static func da(_ a: Float, _ b: Float) -> Float
    static func db(_ a: Float, _ b: Float) -> Float
}
public enum AddKernel: BinaryKernel {
    public static let name = "add"
    @inline(__always) public static func forward(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) public static func da(_ a: Float, _ b: Float) -> Float { 1 }
    @inline(__always) public static func db(_ a: Float, _ b: Float) -> Float { 1 }
}
public enum SubKernel: BinaryKernel {
    public static let name = "sub"
    @inline(__always) public static func forward(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) public static func da(_ a: Float, _ b: Float) -> Float { 1 }
    @inline(__always) public static func db(_ a: Float, _ b: Float) -> Float { -1 }
}
public enum MulKernel: BinaryKernel {
    public static let name = "mul"
    @inline(__always) public static func forward(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) public static func da(_ a: Float, _ b: Float) -> Float { b }
    @inline(__always) public static func db(_ a: Float, _ b: Float) -> Float { a }
}
public enum DivKernel: BinaryKernel {
    public static let name = "div"
    @inline(__always) public static func forward(_ a: Float, _ b: Float) -> Float { a / b }
    @inline(__always) public static func da(_ a: Float, _ b: Float) -> Float { 1 / b }
    @inline(__always) public static func db(_ a: Float, _ b: Float) -> Float { -a / (b * b) }
}

/// Elementwise minimum; a tie sends the gradient to the first operand.
public enum MinKernel: BinaryKernel {
    public static let name = "minimum"
    @inline(__always) public static func forward(_ a: Float, _ b: Float) -> Float { a <= b ? a : b }
    @inline(__always) public static func da(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 }
    @inline(__always) public static func db(_ a: Float, _ b: Float) -> Float { a <= b ? 0 : 1 }
}

/// How two shapes broadcast (NumPy rules), as element strides of each input over the output.
struct Broadcast {
    let shape: [Int]
    let aStrides: [Int]
    let bStrides: [Int]
    /// When b repeats over a's leading dims (b is a's suffix, like a bias): a's count, b's count.
    let suffixB: Bool
    let suffixA: Bool

    init(_ a: [Int], _ b: [Int]) {
        let r = max(a.count, b.count)
        let ap = [Int](repeating: 1, count: r - a.count) + a
        let bp = [Int](repeating: 1, count: r - b.count) + b
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            precondition(ap[i] == bp[i] || ap[i] == 1 || bp[i] == 1, "shapes \(a) and \(b) do not broadcast")
            out[i] = max(ap[i], bp[i])
        }
        shape = out
        let sa = Shape.strides(ap), sb = Shape.strides(bp)
        aStrides = (0..<r).map { ap[$0] == 1 && out[$0] != 1 ? 0 : sa[$0] }
        bStrides = (0..<r).map { bp[$0] == 1 && out[$0] != 1 ? 0 : sb[$0] }
        func isSuffix(_ x: [Int]) -> Bool {
            // x padded is all ones up to some dim, then equal to out
            var i = 0
            while i < r && x[i] == 1 { i += 1 }
            return Array(x[i...]) == Array(out[i...])
        }
        suffixB = ap == out && isSuffix(bp)
        suffixA = bp == out && isSuffix(ap)
    }

    /// Sums `term(o, ia, ib)` over the output into a's (or b's) slots, in double precision:
    /// a broadcast operand's gradient is a long sum, and float accumulation loses digits.
    static func reduce(into dst: UnsafeMutablePointer<Float>, count: Int, _ bc: Broadcast, toB: Bool = false,
                       _ term: (Int, Int, Int) -> Float) {
        var acc = [Double](repeating: 0, count: count)
        acc.withUnsafeMutableBufferPointer { ap in
            bc.forEachIndex { o, ia, ib in ap[toB ? ib : ia] += Double(term(o, ia, ib)) }
        }
        for i in 0..<count { dst[i] = Float(acc[i]) }
    }

    /// Input offsets for every output index, walked with a counter (general case only).
    func forEachIndex(_ body: (Int, Int, Int) -> Void) {
        let r = shape.count
        let n = Shape.count(shape)
        var idx = [Int](repeating: 0, count: r)
        var ia = 0, ib = 0
        for o in 0..<n {
            body(o, ia, ib)
            var d = r - 1
            while d >= 0 {
                idx[d] += 1
                ia += aStrides[d]; ib += bStrides[d]
                if idx[d] < shape[d] { break }
                ia -= aStrides[d] * shape[d]; ib -= bStrides[d] * shape[d]
                idx[d] = 0
                d -= 1
            }
        }
    }
}

extension Tensor {
    public func binary<K: BinaryKernel>(_ other: Tensor, _ kernel: K.Type) -> Tensor {
        let a = self, b = other
        let bc = Broadcast(a.shape, b.shape)
        let out = Tensor(uninitialized: bc.shape)
        let n = out.count, na = a.count, nb = b.count
        let pa = SendablePointer(a.data), pb = SendablePointer(b.data), po = SendablePointer(out.data)
        if na == n && nb == n {
            parallelFor(n, grain: 1 << 14) { r in for i in r { po[i] = K.forward(pa[i], pb[i]) } }
        } else if bc.suffixB {
            parallelFor(n / nb, grain: max(1, (1 << 14) / nb)) { r in
                for row in r { let o = row * nb; for j in 0..<nb { po[o + j] = K.forward(pa[o + j], pb[j]) } }
            }
        } else if bc.suffixA {
            parallelFor(n / na, grain: max(1, (1 << 14) / na)) { r in
                for row in r { let o = row * na; for j in 0..<na { po[o + j] = K.forward(pa[j], pb[o + j]) } }
            }
        } else {
            bc.forEachIndex { o, ia, ib in po[o] = K.forward(pa[ia], pb[ib]) }
        }
        return out.record(K.name, [a, b]) { g in
            let pg = SendablePointer(g.data)
            if a.requiresGrad {
                // Every branch below writes every element of da.
                let da = Tensor(uninitialized: a.shape)
                let pd = SendablePointer(da.data)
                if na == n {
                    if nb == n {
                        parallelFor(n, grain: 1 << 14) { r in for i in r { pd[i] = pg[i] * K.da(pa[i], pb[i]) } }
                    } else if bc.suffixB {
                        parallelFor(n / nb, grain: max(1, (1 << 14) / nb)) { r in
                            for row in r { let o = row * nb; for j in 0..<nb { pd[o + j] = pg[o + j] * K.da(pa[o + j], pb[j]) } }
                        }
                    } else {
                        bc.forEachIndex { o, ia, ib in pd[ia] = pg[o] * K.da(pa[ia], pb[ib]) }
                    }
                } else {
                    Broadcast.reduce(into: pd.p, count: na, bc) { o, ia, ib in pg[o] * K.da(pa[ia], pb[ib]) }
                }
                a.accumulateGrad(da)
            }
            if b.requiresGrad {
                // Only the column sums add into db; the other branches write every element.
                let db = bc.suffixB && !(nb == n && na == n) ? Tensor.zeros(b.shape) : Tensor(uninitialized: b.shape)
                let pd = SendablePointer(db.data)
                if nb == n && na == n {
                    parallelFor(n, grain: 1 << 14) { r in for i in r { pd[i] = pg[i] * K.db(pa[i], pb[i]) } }
                } else if bc.suffixB {
                    // Sum over the repeated leading rows, split by columns so workers never share a slot.
                    let rows = n / nb
                    parallelFor(nb, grain: 64) { r in
                        for row in 0..<rows { let o = row * nb; for j in r { pd[j] += pg[o + j] * K.db(pa[o + j], pb[j]) } }
                    }
                } else {
                    Broadcast.reduce(into: pd.p, count: nb, bc, toB: true) { o, ia, ib in pg[o] * K.db(pa[ia], pb[ib]) }
                }
                b.accumulateGrad(db)
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.binary(b, AddKernel.self) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.binary(b, SubKernel.self) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.binary(b, MulKernel.self) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.binary(b, DivKernel.self) }
    public func minimum(_ other: Tensor) -> Tensor { binary(other, MinKernel.self) }
}
