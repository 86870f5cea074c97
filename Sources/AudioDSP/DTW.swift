import Foundation
import Tensor

/// Dynamic time warping as `librosa.sequence.dtw` with its default steps (1,1), (0,1), (1,0),
/// unit weights, no global constraint, and the same tie-breaking: the first step in that order
/// that strictly lowers the accumulated cost wins.
public enum DTW {
    public enum Metric: String, Sendable, CaseIterable {
        /// sqrt(Σ (x − y)²), as `scipy.spatial.distance.cdist(metric="euclidean")`.
        case euclidean
        /// 1 − x·y / (|x| |y|), as `cdist(metric="cosine")`.
        case cosine
    }

    /// One cell of a warping path: frame `i` of the first sequence, frame `j` of the second.
    public struct Point: Equatable, Hashable, Sendable {
        public var i: Int
        public var j: Int
        public init(_ i: Int, _ j: Int) { self.i = i; self.j = j }
    }

    public struct Result: Sendable {
        /// Accumulated cost (n, m) row-major; n, m are the sequence lengths.
        public var accumulated: [Double]
        public var n: Int
        public var m: Int
        /// The warping path in librosa's order: from the end back to the start.
        public var path: [Point]
        /// The total cost at the end of the path.
        public var cost: Double
    }

    /// Pairwise cost between the frames of x (n, dims) and y (m, dims), both frame-major
    /// (one row per frame, the layout of our mel spectrograms), as (n, m) row-major.
    public static func costMatrix(_ x: [Float], n: Int, _ y: [Float], m: Int, dims: Int,
                                  metric: Metric = .euclidean) throws -> [Double] {
        precondition(x.count == n * dims && y.count == m * dims, "DTW: feature sizes do not match the frame counts")
        var c = [Double](repeating: 0, count: n * m)
        // Promote to double once, as scipy does.
        let xd = x.map(Double.init), yd = y.map(Double.init)
        var normX = [Double](repeating: 0, count: n), normY = [Double](repeating: 0, count: m)
        if metric == .cosine {
            for i in 0..<n { var s = 0.0; for k in 0..<dims { s += xd[i * dims + k] * xd[i * dims + k] }; normX[i] = s.squareRoot() }
            for j in 0..<m { var s = 0.0; for k in 0..<dims { s += yd[j * dims + k] * yd[j * dims + k] }; normY[j] = s.squareRoot() }
        }
        xd.withUnsafeBufferPointer { xb in
            yd.withUnsafeBufferPointer { yb in
                normX.withUnsafeBufferPointer { nxb in
                    normY.withUnsafeBufferPointer { nyb in
                        c.withUnsafeMutableBufferPointer { cb in
                            let xp = SendablePointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                            let yp = SendablePointer(UnsafeMutablePointer(mutating: yb.baseAddress!))
                            let nx = SendablePointer(UnsafeMutablePointer(mutating: nxb.baseAddress!))
                            let ny = SendablePointer(UnsafeMutablePointer(mutating: nyb.baseAddress!))
                            let cp = SendablePointer(cb.baseAddress!)
                            parallelFor(n, grain: 8) { rows in
                                for i in rows {
                                    let u = xp.p + i * dims
                                    for j in 0..<m {
                                        let v = yp.p + j * dims
                                        switch metric {
                                        case .euclidean:
                                            var s = 0.0
                                            for k in 0..<dims { let d = u[k] - v[k]; s += d * d }
                                            cp.p[i * m + j] = s.squareRoot()
                                        case .cosine:
                                            var s = 0.0
                                            for k in 0..<dims { s += u[k] * v[k] }
                                            var cosv = s / (nx.p[i] * ny.p[j])
                                            if abs(cosv) > 1 { cosv = cosv < 0 ? -1 : 1 }
                                            cp.p[i * m + j] = 1 - cosv
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bad = c.firstIndex(where: { $0.isNaN }) {
            throw InputError(InputError.signal, "DTW cost matrix has NaN values (e.g. a zero frame with the cosine metric, at \(bad / m),\(bad % m))")
        }
        return c
    }

    /// DTW between two feature sequences, frame-major (n, dims) and (m, dims).
    /// With `subsequence`, the shorter sequence is matched anywhere inside the longer one
    /// (librosa's `subseq=True`, including its transposition when x is the longer one); the
    /// path's (i, j) always index (x, y).
    public static func align(_ x: [Float], n: Int, _ y: [Float], m: Int, dims: Int, metric: Metric = .euclidean,
                             subsequence: Bool = false) throws -> Result {
        guard n > 0, m > 0 else { throw InputError(InputError.signal, "DTW needs two non-empty sequences (got \(n) and \(m) frames)") }
        let c = try costMatrix(x, n: n, y, m: m, dims: dims, metric: metric)
        if subsequence && n > m {
            // librosa transposes the cost so the longer sequence runs along the columns, then
            // flips the path back.
            var ct = [Double](repeating: 0, count: n * m)
            for i in 0..<n { for j in 0..<m { ct[j * n + i] = c[i * m + j] } }
            var r = try align(cost: ct, n: m, m: n, subsequence: true)
            r.path = r.path.map { Point($0.j, $0.i) }
            var acc = [Double](repeating: 0, count: n * m)
            for i in 0..<m { for j in 0..<n { acc[j * m + i] = r.accumulated[i * n + j] } }
            // Keep the accumulated matrix in (x, y) orientation too.
            return Result(accumulated: acc, n: n, m: m, path: r.path, cost: r.cost)
        }
        return try align(cost: c, n: n, m: m, subsequence: subsequence)
    }

    /// DTW on a precomputed (n, m) row-major cost matrix.
    public static func align(cost c: [Double], n: Int, m: Int, subsequence: Bool = false) throws -> Result {
        precondition(c.count == n * m)
        guard n > 0, m > 0 else { throw InputError(InputError.signal, "DTW needs a non-empty cost matrix") }
        if c.contains(where: { $0.isNaN }) { throw InputError(InputError.signal, "DTW cost matrix has NaN values") }
        // D has one extra row and column of +inf in front (librosa's max_0 = max_1 = 1).
        let w = m + 1
        var d = [Double](repeating: .infinity, count: (n + 1) * w)
        var steps = [UInt8](repeating: 0, count: (n + 1) * w)
        d[1 * w + 1] = c[0]
        if subsequence { for j in 0..<m { d[w + 1 + j] = c[j] } }
        for j in 0..<w { steps[j] = 1 }
        for i in 0...n { steps[i * w] = 2 }
        d.withUnsafeMutableBufferPointer { db in
            steps.withUnsafeMutableBufferPointer { sb in
                c.withUnsafeBufferPointer { cb in
                    let D = db.baseAddress!, S = sb.baseAddress!, C = cb.baseAddress!
                    for i in 1...n {
                        let row = D + i * w, prev = D + (i - 1) * w
                        let crow = C + (i - 1) * m
                        for j in 1...m {
                            let cc = crow[j - 1]
                            var best = row[j]
                            var step = S[i * w + j]
                            // (1,1)
                            let a = prev[j - 1] + cc
                            if a < best { best = a; step = 0 }
                            // (0,1)
                            let b = row[j - 1] + cc
                            if b < best { best = b; step = 1 }
                            // (1,0)
                            let e = prev[j] + cc
                            if e < best { best = e; step = 2 }
                            row[j] = best
                            S[i * w + j] = step
                        }
                    }
                }
            }
        }
        // Strip the padding.
        var acc = [Double](repeating: 0, count: n * m)
        var st = [UInt8](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                acc[i * m + j] = d[(i + 1) * w + j + 1]
                st[i * m + j] = steps[(i + 1) * w + j + 1]
            }
        }
        var ci = n - 1, cj = m - 1
        if subsequence {
            let last = acc[(n - 1) * m ..< n * m]
            if last.allSatisfy({ $0.isInfinite }) {
                throw InputError(InputError.signal, "no valid sub-sequence warping path")
            }
            var bj = 0
            for j in 0..<m where acc[(n - 1) * m + j] < acc[(n - 1) * m + bj] { bj = j }
            cj = bj
        } else if acc[n * m - 1].isInfinite {
            throw InputError(InputError.signal, "no valid warping path")
        }
        let endCost = acc[ci * m + cj]
        var path = [Point(ci, cj)]
        let di = [1, 0, 1], dj = [1, 1, 0]
        while subsequence ? ci > 0 : (ci != 0 || cj != 0) {
            let s = Int(st[ci * m + cj])
            ci -= di[s]; cj -= dj[s]
            if ci < 0 || cj < 0 { break }
            path.append(Point(ci, cj))
        }
        if !subsequence, path.last != Point(0, 0) {
            throw InputError(InputError.signal, "unable to compute a full DTW warping path")
        }
        return Result(accumulated: acc, n: n, m: m, path: path, cost: endCost)
    }
}
