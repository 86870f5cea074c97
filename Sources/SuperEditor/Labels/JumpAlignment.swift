import Foundation
import Tensor

/// DTW between a raw and an edited feature sequence that also allows the edit's jumps.
///
/// Plain DTW (`AudioDSP.DTW`) is monotonic: it cannot follow a loop (the edit goes back in
/// the raw) and it pays for a cut frame by frame. Here every edited frame j is matched to
/// one raw frame, and from one edited frame to the next the raw position may
/// - advance by one (the ordinary diagonal step, free),
/// - stay or advance by two (small tempo wobble, a small penalty), or
/// - jump anywhere, forwards (a cut) or backwards (a loop), for a fixed penalty.
/// The edit may start and end anywhere in the raw (leading and trailing cuts), at the cost
/// of one jump. Cost is the RMS difference of the two frames' features.
public struct JumpAlignment: Sendable {
    public var jumpPenalty: Float = 150
    public var stayPenalty: Float = 30
    public var skipPenalty: Float = 30

    public init() {}

    public enum Move: UInt8, Sendable { case advance = 0, stay, skip, jump }

    public struct Path: Sendable {
        /// For every edited frame, the raw frame it plays.
        public var rawFrame: [Int]
        /// How the path reached each edited frame (the first one counts as a jump).
        public var move: [Move]
        public var rawCount: Int
        public var cost: Float

        /// For every raw frame, how many separate passes of the edit play it (0: cut,
        /// 1: played once, 2: looped). A skip step counts the frame it steps over.
        public func passes() -> [Int] {
            var count = [Int](repeating: 0, count: rawCount)
            for (j, i) in rawFrame.enumerated() {
                switch move[j] {
                case .stay: continue
                case .skip: count[i] += 1; if i > 0 { count[i - 1] += 1 }
                default: count[i] += 1
                }
            }
            return count
        }

        /// For every raw frame, the first edited frame that plays it (nil when none does).
        public func firstEditedFrame() -> [Int?] {
            var first = [Int?](repeating: nil, count: rawCount)
            for (j, i) in rawFrame.enumerated() where first[i] == nil { first[i] = j }
            return first
        }
    }

    /// Aligns `edited` (m, dims) to `raw` (n, dims), both frame-major.
    ///
    /// An edit plays the raw from positions that are rarely whole hops, so its frames can sit
    /// half a hop from every raw frame; on transient music that costs more than a jump, and
    /// a repeat of the same bars elsewhere, at a luckier phase, wins. `between` (n, dims),
    /// when given, is the raw halfway from each frame to the next: each raw frame is then
    /// matched at the best of the positions −½, 0 and +½ hop.
    public func align(raw: [Float], n: Int, edited: [Float], m: Int, dims: Int, between: [Float]? = nil) -> Path {
        precondition(n > 0 && m > 0 && raw.count == n * dims && edited.count == m * dims)
        precondition(between.map { $0.count == n * dims } ?? true)
        // The cost is computed in blocks of edited rows as the DP reaches them, so memory
        // grows with m·n bytes (the moves) rather than m·n floats.
        var block = [Float]()
        var blockStart = -1
        func costRow(_ j: Int) -> Int {
            if blockStart < 0 || j >= blockStart + Self.blockRows {
                blockStart = j
                block = costMatrix(edited, rows: j..<min(m, j + Self.blockRows), raw, n, dims: dims)
                if let h = between {
                    let half = costMatrix(edited, rows: j..<min(m, j + Self.blockRows), h, n, dims: dims)
                    for r in 0..<(block.count / n) {
                        for i in 0..<n {
                            let k = r * n + i
                            block[k] = min(block[k], half[k], i > 0 ? half[k - 1] : .infinity)
                        }
                    }
                }
            }
            return (j - blockStart) * n
        }
        var moves = [UInt8](repeating: 0, count: m * n)
        var jumpFrom = [Int32](repeating: 0, count: m)
        var previous = [Float](repeating: 0, count: n), current = [Float](repeating: 0, count: n)
        var finalCost: Float = 0
        var endFrame = 0
        do {
            moves.withUnsafeMutableBufferPointer { mb in
                let mv = mb.baseAddress!
                let first = costRow(0)
                for i in 0..<n {
                    previous[i] = block[first + i] + (i == 0 ? 0 : jumpPenalty)
                    mv[i] = Move.jump.rawValue
                }
                var bestIndex = 0
                for i in 1..<n where previous[i] < previous[bestIndex] { bestIndex = i }
                for j in 1..<max(m, 1) {
                    jumpFrom[j] = Int32(bestIndex)
                    let jumpCost = previous[bestIndex] + jumpPenalty
                    let offset = costRow(j), mrow = mv + j * n
                    var newBest = 0
                    block.withUnsafeBufferPointer { bb in
                    let row = bb.baseAddress! + offset
                    previous.withUnsafeBufferPointer { pb in
                        current.withUnsafeMutableBufferPointer { qb in
                            let p = pb.baseAddress!, q = qb.baseAddress!
                            for i in 0..<n {
                                var best = jumpCost, move = Move.jump.rawValue
                                if i >= 1, p[i - 1] < best { best = p[i - 1]; move = Move.advance.rawValue }
                                if p[i] + stayPenalty < best { best = p[i] + stayPenalty; move = Move.stay.rawValue }
                                if i >= 2, p[i - 2] + skipPenalty < best { best = p[i - 2] + skipPenalty; move = Move.skip.rawValue }
                                q[i] = best + row[i]
                                mrow[i] = move
                                if q[i] < q[newBest] { newBest = i }
                            }
                        }
                    }
                    }
                    swap(&previous, &current)
                    bestIndex = newBest
                }
                // End anywhere; ending before the raw's last frame counts as one jump.
                endFrame = n - 1
                finalCost = previous[n - 1]
                for i in 0..<n where previous[i] + jumpPenalty < finalCost { finalCost = previous[i] + jumpPenalty; endFrame = i }
            }
        }
        var rawFrame = [Int](repeating: 0, count: m)
        var moveList = [Move](repeating: .advance, count: m)
        var i = endFrame
        for j in stride(from: m - 1, through: 0, by: -1) {
            rawFrame[j] = i
            let mv = Move(rawValue: moves[j * n + i])!
            moveList[j] = j == 0 ? .jump : mv
            switch mv {
            case .advance: i -= 1
            case .stay: break
            case .skip: i -= 2
            case .jump: i = Int(jumpFrom[j])
            }
            i = max(0, i)
        }
        return Path(rawFrame: rawFrame, move: moveList, rawCount: n, cost: finalCost)
    }

    /// How much a band that is quieter in the edit than in the raw counts, against one that
    /// is louder. Edits here (fades, filters, cuts) take energy away; a frame that shows
    /// energy the raw frame does not have is the clearer sign of a wrong match.
    public var quieterWeight: Float = 0.1

    /// Edited rows per block of the cost matrix.
    static let blockRows = 128

    /// RMS of the band differences (edit − raw, the quieter ones weighted by
    /// `quieterWeight`) between the rows `rows` of `edited` (m, dims) and every row of `raw`
    /// (n, dims), as (rows.count, n) row-major.
    func costMatrix(_ edited: [Float], rows: Range<Int>, _ raw: [Float], _ n: Int, dims: Int) -> [Float] {
        let m = rows.count, first = rows.lowerBound
        var cost = [Float](repeating: 0, count: m * n)
        let w = quieterWeight, scale = 1 / Float(dims)
        edited.withUnsafeBufferPointer { eb in
            raw.withUnsafeBufferPointer { rb in
                cost.withUnsafeMutableBufferPointer { cb in
                    let e = SendablePointer(UnsafeMutablePointer(mutating: eb.baseAddress!))
                    let r = SendablePointer(UnsafeMutablePointer(mutating: rb.baseAddress!))
                    let c = SendablePointer(cb.baseAddress!)
                    parallelFor(m, grain: 16) { chunk in
                        for j in chunk {
                            let a = e.p + (first + j) * dims
                            for i in 0..<n {
                                c.p[j * n + i] = Self.distance(a, r.p + i * dims, dims: dims, quieterWeight: w, scale: scale)
                            }
                        }
                    }
                }
            }
        }
        return cost
    }

    /// The cost of matching edited frame `a` with raw frame `b`: RMS of the band differences
    /// (edit − raw), the quieter ones weighted by `quieterWeight`.
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dims: Int, quieterWeight w: Float, scale: Float) -> Float {
        // Four partial sums: independent chains the compiler can interleave.
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var k = 0
        while k + 4 <= dims {
            let d0 = a[k] - b[k], d1 = a[k + 1] - b[k + 1], d2 = a[k + 2] - b[k + 2], d3 = a[k + 3] - b[k + 3]
            s0 += d0 > 0 ? d0 * d0 : w * d0 * d0
            s1 += d1 > 0 ? d1 * d1 : w * d1 * d1
            s2 += d2 > 0 ? d2 * d2 : w * d2 * d2
            s3 += d3 > 0 ? d3 * d3 : w * d3 * d3
            k += 4
        }
        while k < dims {
            let d = a[k] - b[k]
            s0 += d > 0 ? d * d : w * d * d
            k += 1
        }
        return ((s0 + s1 + s2 + s3) * scale).squareRoot()
    }

    /// The cost of every edited frame against the raw frame the path gives it (the best of
    /// the half-hop positions when `between` is given), as the alignment priced it.
    public func frameCosts(raw: [Float], n: Int, edited: [Float], m: Int, dims: Int, between: [Float]? = nil, path: Path) -> [Float] {
        let scale = 1 / Float(dims)
        return raw.withUnsafeBufferPointer { rb in
            edited.withUnsafeBufferPointer { eb in
                (0..<m).map { j in
                    let i = path.rawFrame[j], a = eb.baseAddress! + j * dims
                    var c = Self.distance(a, rb.baseAddress! + i * dims, dims: dims, quieterWeight: quieterWeight, scale: scale)
                    if let h = between {
                        h.withUnsafeBufferPointer { hb in
                            c = min(c, Self.distance(a, hb.baseAddress! + i * dims, dims: dims, quieterWeight: quieterWeight, scale: scale))
                            if i > 0 { c = min(c, Self.distance(a, hb.baseAddress! + (i - 1) * dims, dims: dims, quieterWeight: quieterWeight, scale: scale)) }
                        }
                    }
                    return c
                }
            }
        }
    }
}
