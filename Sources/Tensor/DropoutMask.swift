/// Dropout masks drawn from `RandomGenerator` (xoshiro256**) exactly as the loop
/// `for i in 0..<n { mask[i] = rng.nextFloat() < p ? 0 : scale }` draws them, and `rng` left where
/// that loop leaves it, but four stretches of the stream at a time and split over the cores.
///
/// The sequential loop is bound by the generator's chain of dependent steps. The generator's
/// state update is linear over GF(2), so the state `stretch` draws after any state is a fixed
/// 256×256 bit matrix times it (`jump`). The stream is cut into stretches of `stretch` draws whose
/// first states come from repeated jumps; four stretches advance side by side in the lanes of
/// SIMD registers, and groups of four are split over the cores. Same bits, same masks, same
/// end state.
public enum DropoutMask {
    /// Draws per stretch. A jump costs about as much as a hundred draws.
    public static let stretch = 1 << 12
    static let lanes = 4
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
    /// the groups of stretches over the cores; callers already inside a parallel loop pass false.
    public static func fill(_ out: UnsafeMutablePointer<Float>, count: Int, p: Float, scale: Float,
                            rng: inout RandomGenerator, times: UnsafePointer<Float>? = nil, parallel: Bool = true) {
        let whole = count / stretch
        let thr = threshold(p)
        if whole < lanes {
            draw(out, count: count, state: &rng.state, threshold: thr, scale: scale, times: times)
            return
        }
        // First state of every stretch and of the tail after them; then the lanes' rotations,
        // read from memory: as constants LLVM recognises them as rotations and, without
        // AVX-512, does them lane by lane in scalar registers.
        let starts = UnsafeMutablePointer<SIMD4<UInt64>>.allocate(capacity: whole + 5)
        defer { starts.deallocate() }
        var s = SIMD4(rng.state.0, rng.state.1, rng.state.2, rng.state.3)
        jumpColumns.withUnsafeBufferPointer { cols in
            for k in 0...whole {
                starts[k] = s
                if k < whole { s = jump(s, cols.baseAddress!) }
            }
        }
        let rotations = SendablePointer(starts + whole + 1)
        for (k, amount) in [45, 19, 7, 57].enumerated() { rotations[k] = SIMD4(repeating: UInt64(amount)) }
        let st = SendablePointer(starts), o = SendablePointer(out)
        let src = times.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        let groups = (whole + lanes - 1) / lanes
        let work: (Range<Int>) -> Void = { r in
            for g in r {
                let first = g * lanes
                if first + lanes <= whole {
                    drawLanes(o.p, from: first, starts: st.p, rotations: rotations.p, threshold: thr, scale: scale,
                              times: src.map { UnsafePointer($0.p) })
                } else {
                    for k in first..<whole {
                        var state = (st[k][0], st[k][1], st[k][2], st[k][3])
                        draw(o.p + k * stretch, count: stretch, state: &state, threshold: thr, scale: scale,
                             times: src.map { UnsafePointer($0.p + k * stretch) })
                    }
                }
            }
        }
        if parallel { parallelFor(groups, work) } else { work(0..<groups) }
        rng.state = (starts[whole][0], starts[whole][1], starts[whole][2], starts[whole][3])
        draw(out + whole * stretch, count: count - whole * stretch, state: &rng.state, threshold: thr, scale: scale,
             times: times.map { $0 + whole * stretch })
    }

    /// Stretches `first ..< first + 4`, one per lane, four draws of each at a time; the four
    /// results of each lane are gathered into one vector and stored together.
    @inline(never)
    static func drawLanes(_ out: UnsafeMutablePointer<Float>, from first: Int, starts: UnsafePointer<SIMD4<UInt64>>,
                          rotations: UnsafePointer<SIMD4<UInt64>>, threshold thr: UInt64, scale: Float,
                          times: UnsafePointer<Float>?) {
        typealias W = SIMD4<UInt64>
        let a = starts[first], b = starts[first + 1], c = starts[first + 2], d = starts[first + 3]
        var s0 = W(a[0], b[0], c[0], d[0]), s1 = W(a[1], b[1], c[1], d[1])
        var s2 = W(a[2], b[2], c[2], d[2]), s3 = W(a[3], b[3], c[3], d[3])
        let k45 = rotations[0], k19 = rotations[1], k7 = rotations[2], k57 = rotations[3]
        let t = SIMD4<Int32>(repeating: Int32(thr) - 1)
        let bits = SIMD4<Int32>(repeating: Int32(bitPattern: scale.bitPattern))
        // xoshiro256** in each lane; the mask value as a bit pattern: (thr - 1) - u is negative
        // (its sign spread by the shift) exactly when the 24-bit draw u is kept, u ≥ thr.
        @inline(__always) func step() -> SIMD4<Int32> {
            let x = (s1 &<< 2) &+ s1
            let rot = (x &<< k7) | (x &>> k57)
            let r = (rot &<< 3) &+ rot
            let tt = s1 &<< 17
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= tt
            s3 = (s3 &<< k45) | (s3 &>> k19)
            return ((t &- SIMD4<Int32>(truncatingIfNeeded: r &>> 40)) &>> 31) & bits
        }
        let base = out + first * stretch
        var i = 0
        while i < stretch {
            let m0 = step(), m1 = step(), m2 = step(), m3 = step()
            for lane in 0..<lanes {
                let bitsOfLane = SIMD4<Int32>(m0[lane], m1[lane], m2[lane], m3[lane])
                let o = base + lane * stretch + i
                var v = unsafeBitCast(bitsOfLane, to: SIMD4<Float>.self)
                if let times { v = UnsafeRawPointer(times + (first + lane) * stretch + i).loadUnaligned(as: SIMD4<Float>.self) * v }
                UnsafeMutableRawPointer(o).storeBytes(of: v, as: SIMD4<Float>.self)
            }
            i += 4
        }
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
