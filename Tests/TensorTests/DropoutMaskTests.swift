import XCTest
@testable import Tensor

/// `DropoutMask` must draw the very masks the one-draw-at-a-time loop draws, and leave the
/// generator where that loop leaves it: shipped models are made with it and must come out the same.
final class DropoutMaskTests: XCTestCase {
    private func sequential(_ n: Int, p: Float, scale: Float, rng: inout RandomGenerator) -> [Float] {
        (0..<n).map { _ in rng.nextFloat() < p ? 0 : scale }
    }

    func testMasksAndEndStateMatchTheSequentialLoop() {
        let s = DropoutMask.stretch
        for n in [0, 1, 7, s - 1, s, s + 1, 3 * s + 17, 8 * s, 9 * s + 5, 20 * s + 1000] {
            for p: Float in [0.1, 0.3, 0.5, 0.9] {
                for parallel in [true, false] {
                    var a = RandomGenerator(seed: UInt64(n) &* 31 &+ 7), b = a
                    _ = a.next(); _ = b.next()
                    let expected = sequential(n, p: p, scale: 1 / (1 - p), rng: &a)
                    var got = [Float](repeating: -1, count: n)
                    got.withUnsafeMutableBufferPointer {
                        DropoutMask.fill($0.baseAddress!, count: n, p: p, scale: 1 / (1 - p), rng: &b, parallel: parallel)
                    }
                    XCTAssertEqual(got, expected, "n=\(n) p=\(p)")
                    XCTAssertEqual(a.next(), b.next(), "end state after n=\(n) p=\(p)")
                }
            }
        }
    }

    func testProductsAreTheInputTimesTheSameMask() {
        let n = 5 * DropoutMask.stretch + 123
        let x = (0..<n).map { Float($0 % 97) - 48.5 }
        for parallel in [true, false] {
            var a = RandomGenerator(seed: 4), b = a
            let mask = sequential(n, p: 0.25, scale: 4 / 3, rng: &a)
            var got = [Float](repeating: -1, count: n)
            got.withUnsafeMutableBufferPointer { out in
                x.withUnsafeBufferPointer {
                    DropoutMask.fill(out.baseAddress!, count: n, p: 0.25, scale: 4 / 3, rng: &b, times: $0.baseAddress!, parallel: parallel)
                }
            }
            XCTAssertEqual(got, zip(x, mask).map { $0 * $1 })
            XCTAssertEqual(a.next(), b.next())
        }
    }

    func testADrawEqualToTheThresholdIsKeptInEveryPath() {
        // p = u / 2²⁴ for a draw u of the stream: nextFloat() < p is false for that draw. One such
        // draw in each lane of the first group of four stretches and one in the tail.
        let s = DropoutMask.stretch, n = 4 * s + 9
        for index in [5, s + 17, 2 * s + 1, 4 * s - 1, 4 * s + 3] {
            var probe = RandomGenerator(seed: 21)
            for _ in 0..<index { _ = probe.next() }
            let p = Float(probe.next() >> 40) * (1.0 / 16_777_216.0)
            for parallel in [true, false] {
                var a = RandomGenerator(seed: 21), b = a
                let expected = sequential(n, p: p, scale: 2, rng: &a)
                XCTAssertEqual(expected[index], 2)
                var got = [Float](repeating: -1, count: n)
                got.withUnsafeMutableBufferPointer {
                    DropoutMask.fill($0.baseAddress!, count: n, p: p, scale: 2, rng: &b, parallel: parallel)
                }
                XCTAssertEqual(got[index], 2, "draw \(index) at the threshold, parallel \(parallel)")
                XCTAssertTrue(got == expected, "draw \(index) at the threshold, parallel \(parallel): masks differ")
            }
        }
    }

    func testSkipLeavesTheGeneratorWhereDrawingWould() {
        for n in [0, 5, DropoutMask.stretch, 5 * DropoutMask.stretch + 3] {
            var a = RandomGenerator(seed: 99), b = a
            for _ in 0..<n { _ = a.next() }
            DropoutMask.skip(&b, count: n)
            XCTAssertEqual(a.next(), b.next(), "skip \(n)")
        }
    }

    func testThresholdIsExactAtTheEdges() {
        // nextFloat() is u / 2²⁴; p = 0.5 rejects u < 2²³ and keeps u = 2²³.
        XCTAssertEqual(DropoutMask.threshold(0.5), 1 << 23)
        XCTAssertEqual(DropoutMask.threshold(0), 0)
        XCTAssertEqual(DropoutMask.threshold(1), 1 << 24)
        for p: Float in [0.1, 0.2, 1e-7, 0.999] {
            let t = DropoutMask.threshold(p)
            XCTAssertTrue(Float(t - 1) * (1.0 / 16_777_216.0) < p)
            XCTAssertFalse(Float(t) * (1.0 / 16_777_216.0) < p)
        }
    }
}

final class DropoutOpMaskTests: XCTestCase {
    func testDropoutOpUsesTheSequentialMask() {
        for n in [100, 4 * DropoutMask.stretch, 131072, 131072 * 3 + 5] {
            var a = RandomGenerator(seed: 11), b = a
            let x = Tensor((0..<n).map { Float($0 % 19) - 9 }, shape: [n])
            let expected = (0..<n).map { i -> Float in x.data[i] * (a.nextFloat() < 0.1 ? 0 : 1 / (1 - Float(0.1))) }
            let y = x.dropout(0.1, rng: &b)
            XCTAssertEqual(y.scalars, expected, "n=\(n)")
            XCTAssertEqual(a.next(), b.next())
        }
    }
}

final class AttentionMaskTests: XCTestCase {
    func testAttentionDropsTheSequentialMask() {
        let t = 160, d = 4
        var r = RandomGenerator(seed: 5)
        let qkv = Tensor((0..<(t * 3 * d)).map { _ in r.nextFloat() - 0.5 }, shape: [1, t, 3 * d])
        var g = RandomGenerator(seed: 9), g2 = g
        let out = noGrad { qkv.multiHeadAttention(heads: 1, dropout: 0.2, rng: &g) }
        let seed = g2.next()
        var mg = RandomGenerator(seed: seed &+ UInt64(0) &* 0x9E37_79B9_7F4A_7C15)
        let x = qkv.scalars
        var maxErr: Float = 0
        var mask = [Float](repeating: 0, count: t * t)
        for i in 0..<(t * t) { mask[i] = mg.nextFloat() < 0.2 ? 0 : 1 / (1 - Float(0.2)) }
        for i in 0..<t {
            var s = [Float](repeating: 0, count: t)
            for j in 0..<t { for c in 0..<d { s[j] += x[i * 3 * d + c] * x[j * 3 * d + d + c] }; s[j] /= Float(d).squareRoot() }
            let m = s.max()!
            let e = s.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
            for c in 0..<d {
                var o: Float = 0
                for j in 0..<t { o += e[j] / z * mask[i * t + j] * x[j * 3 * d + 2 * d + c] }
                maxErr = max(maxErr, abs(o - out.scalars[i * d + c]))
            }
        }
        XCTAssertLessThan(maxErr, 1e-4)
    }
}
