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
