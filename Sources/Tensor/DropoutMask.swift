/// Dropout masks drawn from `RandomGenerator` (xoshiro256**) exactly as the loop
/// `for i in 0..<n { mask[i] = rng.nextFloat() < p ? 0 : scale }` draws them, and `rng` left where
/// that loop leaves it, but with the stream split over the cores.
///
/// The generator's state update is linear over GF(2), so the state `stretch` draws after any
/// state is a fixed 256×256 bit matrix times it (`jump`). The stream is cut into stretches of
/// `stretch` draws whose first states come from repeated jumps, and the stretches are drawn in
/// parallel, each one sequentially. Same bits, same masks, same end state.
public enum DropoutMask {
    /// Draws per stretch. A jump costs about as much as a hundred draws.
    public static let stretch = 1 << 14
    /// Column `i` of the jump matrix: the state `stretch` draws after the state whose only set
    /// bit is bit `i` (word `i / 64`). Made once by running the generator from each basis state.
    static let jumpColumns: [SIMD4<UInt64>] = (0..<256).map { i in
        var words: [UInt64] = [0, 0, 0, 0]
        words[i / 64] = 1 << UInt64(i % 64)
        var g = RandomGenerator(seed: 0)
        g.state = (words[0], words[1], words[2], words[3])
        for _ in 0..<stretch { _ = g.next() }
        return SIMD4(g.state.0, g.state.1, g.state.2, g.state.3)
    }

    /// The state `stretch` draws after `state`.
    @inline(__always)
    static func jump(_ state: SIMD4<UInt64>, _ columns: UnsafePointer<SIMD4<UInt64>>) -> SIMD4<UInt64> {
        var acc = SIMD4<UInt64>()
        for w in 0..<4 {
            let word = state[w]
            for b in 0..<64 {
                let select = 0 &- ((word &>> UInt64(b)) & 1)
                acc ^= columns[w * 64 + b] & SIMD4(repeating: select)
            }
        }
        return acc
    }

    /// The smallest 24-bit draw `u` that `nextFloat() < p` rejects: `Float(u) / 2²⁴` is exact,
    /// so `nextFloat() < p` holds exactly when `u < ⌈p · 2²⁴⌉`.
    static func threshold(_ p: Float) -> UInt64 {
        let x = (Double(p) * 16_777_216).rounded(.up)
        return x <= 0 ? 0 : UInt64(min(x, 16_777_216))
    }

    /// Advances `rng` by `count` draws.
    public static func skip(_ rng: inout RandomGenerator, count: Int) {
        var left = count
        if left >= stretch {
            var s = SIMD4(rng.state.0, rng.state.1, rng.state.2, rng.state.3)
            jumpColumns.withUnsafeBufferPointer { cols in
                while left >= stretch { s = jump(s, cols.baseAddress!); left -= stretch }
            }
            rng.state = (s[0], s[1], s[2], s[3])
        }
        for _ in 0..<left { _ = rng.next() }
    }

    /// Writes `count` mask values (0 with probability `p`, else `scale`) to `out`, or with `times`
    /// the products `times[i] · mask[i]`, and advances `rng` by `count` draws. `parallel` splits
    /// the stream over the cores; callers already inside a parallel loop pass false and get the
    /// plain sequential loop.
    public static func fill(_ out: UnsafeMutablePointer<Float>, count: Int, p: Float, scale: Float,
                            rng: inout RandomGenerator, times: UnsafePointer<Float>? = nil, parallel: Bool = true) {
        let whole = count / stretch
        let thr = threshold(p)
        if !parallel || whole < 2 || Threading.count < 2 {
            draw(out, count: count, state: &rng.state, threshold: thr, scale: scale, times: times)
            return
        }
        // First state of every stretch, and of the tail after them.
        let starts = UnsafeMutablePointer<SIMD4<UInt64>>.allocate(capacity: whole + 1)
        defer { starts.deallocate() }
        var s = SIMD4(rng.state.0, rng.state.1, rng.state.2, rng.state.3)
        jumpColumns.withUnsafeBufferPointer { cols in
            for k in 0...whole {
                starts[k] = s
                if k < whole { s = jump(s, cols.baseAddress!) }
            }
        }
        let st = SendablePointer(starts), o = SendablePointer(out)
        let src = times.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        parallelFor(whole) { r in
            for k in r {
                var state = (st[k][0], st[k][1], st[k][2], st[k][3])
                draw(o.p + k * stretch, count: stretch, state: &state, threshold: thr, scale: scale,
                     times: src.map { UnsafePointer($0.p + k * stretch) })
            }
        }
        rng.state = (starts[whole][0], starts[whole][1], starts[whole][2], starts[whole][3])
        draw(out + whole * stretch, count: count - whole * stretch, state: &rng.state, threshold: thr, scale: scale,
             times: times.map { $0 + whole * stretch })
    }

    /// The sequential loop, `RandomGenerator.next()` written out on four scalar words (left to
    /// itself the compiler packs the state into vector registers, and the chain runs slower).
    @inline(never)
    static func draw(_ out: UnsafeMutablePointer<Float>, count: Int, state: inout (UInt64, UInt64, UInt64, UInt64),
                     threshold thr: UInt64, scale: Float, times: UnsafePointer<Float>?) {
        var (s0, s1, s2, s3) = state
        let bits = scale.bitPattern
        // Without a branch (a tenth of the draws drop, at random): thr - 1 - u wraps below
        // zero, setting the top bit, exactly when the draw u is kept.
        @inline(__always) func mask() -> Float {
            let x = s1 &* 5
            let r = ((x << 7) | (x >> 57)) &* 9
            let t = s1 << 17
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
            s3 = (s3 << 45) | (s3 >> 19)
            let kept = UInt32(truncatingIfNeeded: (thr &- 1 &- (r >> 40)) >> 63)
            return Float(bitPattern: bits & (0 &- kept))
        }
        if let times {
            for i in 0..<count { out[i] = times[i] * mask() }
        } else {
            for i in 0..<count { out[i] = mask() }
        }
        state = (s0, s1, s2, s3)
    }
}
