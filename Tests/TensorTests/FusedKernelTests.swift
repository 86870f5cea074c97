import XCTest
@testable import Tensor

/// The kernels that were reorganised for speed give exactly the numbers of the plain ops, and
/// the profiler counts each kind of work.
final class FusedKernelTests: XCTestCase {
    var rng = RandomGenerator(seed: 77)

    func rand(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, rng: &rng)
    }

    /// Layer norm, row by row, as the loops were written before rows ran side by side.
    func plainLayerNorm(_ x: [Float], _ w: [Float], _ b: [Float], rows: Int, d: Int) -> (y: [Float], mean: [Float], rstd: [Float]) {
        var y = [Float](repeating: 0, count: rows * d), means = [Float](), rstds = [Float]()
        for i in 0..<rows {
            var s: Float = 0
            for j in 0..<d { s += x[i * d + j] }
            let mean = s / Float(d)
            var v: Float = 0
            for j in 0..<d { let c = x[i * d + j] - mean; v += c * c }
            let rstd = 1 / (v / Float(d) + 1e-5).squareRoot()
            for j in 0..<d { y[i * d + j] = (x[i * d + j] - mean) * rstd * w[j] + b[j] }
            means.append(mean); rstds.append(rstd)
        }
        return (y, means, rstds)
    }

    func testLayerNormRowsGiveThePlainLoopsNumbers() {
        // 7 rows: one group of four side by side and three alone.
        let rows = 7, d = 37
        let x = rand([rows, d], -3, 3), w = rand([d], 0.5, 1.5), b = rand([d])
        x.requiresGrad = true
        let y = x.layerNorm(weight: w, bias: b)
        let plain = plainLayerNorm(x.scalars, w.scalars, b.scalars, rows: rows, d: d)
        XCTAssertEqual(y.scalars, plain.y)
        let g = rand([rows, d])
        y.backward(g)
        var dx = [Float](repeating: 0, count: rows * d)
        let xs = x.scalars, gs = g.scalars, ws = w.scalars
        for i in 0..<rows {
            var sumG: Float = 0, sumGX: Float = 0
            for j in 0..<d {
                let gw = gs[i * d + j] * ws[j]
                sumG += gw
                sumGX += gw * (xs[i * d + j] - plain.mean[i]) * plain.rstd[i]
            }
            for j in 0..<d {
                let xhat = (xs[i * d + j] - plain.mean[i]) * plain.rstd[i]
                dx[i * d + j] = plain.rstd[i] * (gs[i * d + j] * ws[j] - sumG / Float(d) - xhat * (1 / Float(d)) * sumGX)
            }
        }
        let got = x.grad!.scalars
        for k in dx.indices { XCTAssertEqual(got[k], dx[k], accuracy: 1e-6 * max(1, abs(dx[k]))) }
    }

    func testInferenceFusionsGiveTheOpsNumbers() {
        // 150 rows: the fused residual layer norm works in blocks of 64 rows.
        let a = rand([3, 50, 24]), r = rand([3, 50, 24]), w = rand([24], 0.5, 1.5), b = rand([24])
        let fused = noGrad { a.addLayerNorm(r, weight: w, bias: b) }
        let ops = noGrad { (a + r).layerNorm(weight: w, bias: b) }
        XCTAssertEqual(fused.scalars, ops.scalars)
        let lw = rand([40, 24]), lb = rand([40])
        XCTAssertEqual(noGrad { a.linearReLU(weight: lw, bias: lb) }.scalars, noGrad { a.linear(weight: lw, bias: lb).relu() }.scalars)
        // With a backward pass they are the plain ops, history included.
        lw.requiresGrad = true
        let h = a.linearReLU(weight: lw, bias: lb)
        XCTAssertTrue(h.requiresGrad)
        XCTAssertEqual(h.scalars, noGrad { a.linear(weight: lw, bias: lb).relu() }.scalars)
    }

    /// Attention in double precision, one query row at a time.
    func plainAttention(_ qkv: [Float], b: Int, t: Int, d: Int, heads: Int) -> [Double] {
        let dh = d / heads, ld = 3 * d
        var out = [Double](repeating: 0, count: b * t * d)
        for bi in 0..<b {
            for h in 0..<heads {
                for i in 0..<t {
                    var s = [Double](repeating: 0, count: t)
                    for j in 0..<t {
                        var dot = 0.0
                        for c in 0..<dh { dot += Double(qkv[(bi * t + i) * ld + h * dh + c]) * Double(qkv[(bi * t + j) * ld + d + h * dh + c]) }
                        s[j] = dot / Double(dh).squareRoot()
                    }
                    let m = s.max()!
                    let e = s.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
                    for c in 0..<dh {
                        var acc = 0.0
                        for j in 0..<t { acc += e[j] / z * Double(qkv[(bi * t + j) * ld + 2 * d + h * dh + c]) }
                        out[(bi * t + i) * d + h * dh + c] = acc
                    }
                }
            }
        }
        return out
    }

    func testAttentionMatchesAPlainComputation() {
        // Inference (no weights kept) and training give the same numbers, those of the definition.
        let b = 2, t = 300, d = 8, heads = 2
        let x = rand([b, t, 3 * d], -2, 2)
        var g1 = RandomGenerator(seed: 1), g2 = RandomGenerator(seed: 1)
        let inference = noGrad { x.multiHeadAttention(heads: heads, rng: &g1) }
        x.requiresGrad = true
        let training = x.multiHeadAttention(heads: heads, rng: &g2)
        XCTAssertEqual(inference.scalars, training.scalars)
        let plain = plainAttention(x.scalars, b: b, t: t, d: d, heads: heads)
        for (got, want) in zip(inference.scalars, plain) { XCTAssertEqual(Double(got), want, accuracy: 2e-5) }
    }

    func testAttentionGradientOnALongSequenceWithDropout() {
        let seed = RandomGenerator(seed: 9)
        let r = GradientCheck.run([rand([1, 200, 6])], eps: 1e-2) { var g = seed; return $0[0].multiHeadAttention(heads: 1, dropout: 0.2, rng: &g) }
        XCTAssertLessThan(r.maxError, 2e-2, r.description)
    }

    func testProfilerCountsEachKindOnce() {
        let x = rand([64, 32]), w = rand([48, 32]), lb = rand([48]), nw = rand([48], 0.5, 1.5), nb = rand([48])
        w.requiresGrad = true
        Profiler.begin()
        let y = x.linear(weight: w, bias: lb).layerNorm(weight: nw, bias: nb).relu().sum()
        y.backward()
        let split = Profiler.end()
        XCTAssertGreaterThan(split[.sgemm]!, 0)
        XCTAssertGreaterThan(split[.layerNorm]!, 0)
        XCTAssertGreaterThan(split[.elementwise]!, 0)
        XCTAssertEqual(split[.attention]!, 0)
        XCTAssertEqual(split[.stftLoss]!, 0)
        // Off again: nothing more is counted.
        _ = x.linear(weight: w, bias: lb)
        XCTAssertFalse(Profiler.enabled)
    }
}
