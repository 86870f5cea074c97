import XCTest
@testable import Tensor

final class TensorTests: XCTestCase {
    func testBroadcastShapesAndValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([10, 20, 30], shape: [3])
        XCTAssertEqual((a + b).scalars, [11, 22, 33, 14, 25, 36])
        let c = Tensor([100, 200], shape: [2, 1])
        XCTAssertEqual((a + c).scalars, [101, 102, 103, 204, 205, 206])
        XCTAssertEqual((a * Tensor(scalar: 2)).scalars, [2, 4, 6, 8, 10, 12])
    }

    func testPermuteAndSlice() {
        let a = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let p = a.permuted([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(p.scalars[0..<6].map { $0 }, [0, 4, 8, 12, 16, 20])
        XCTAssertEqual(a.slice(axis: 2, 1..<3).scalars[0..<4].map { $0 }, [1, 2, 5, 6])
    }

    func testMatmulAgainstLoops() {
        var rng = RandomGenerator(seed: 1)
        let a = Tensor.randn([3, 5], rng: &rng), b = Tensor.randn([5, 2], rng: &rng)
        let c = a.matmul(b)
        for i in 0..<3 { for j in 0..<2 {
            var s: Float = 0
            for k in 0..<5 { s += a.data[i * 5 + k] * b.data[k * 2 + j] }
            XCTAssertEqual(c.data[i * 2 + j], s, accuracy: 1e-5)
        } }
    }

    func testSTFTMatchesDirectDFT() {
        // center=True, reflect padding, rectangular window, as torch.stft.
        let x = Tensor((0..<20).map { Float(sin(Double($0) * 0.7)) + 0.1 * Float($0) }, shape: [1, 20])
        let nfft = 8, hop = 4
        let s = x.stft(nFFT: nfft, hop: hop)
        XCTAssertEqual(s.shape, [1, 5, 6, 2])
        func reflect(_ j: Int) -> Int { j < 0 ? -j : (j >= 20 ? 38 - j : j) }
        for m in 0..<6 { for f in 0..<5 {
            var re = 0.0, im = 0.0
            for n in 0..<nfft {
                let v = Double(x.data[reflect(m * hop + n - 4)])
                re += v * cos(2 * .pi * Double(f * n) / Double(nfft)); im -= v * sin(2 * .pi * Double(f * n) / Double(nfft))
            }
            XCTAssertEqual(Double(s.data[(f * 6 + m) * 2]), re, accuracy: 1e-4)
            XCTAssertEqual(Double(s.data[(f * 6 + m) * 2 + 1]), im, accuracy: 1e-4)
        } }
    }

    func testGradientAccumulatesAndZeroes() {
        let x = Tensor([1, 2], shape: [2]); x.requiresGrad = true
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [6, 6])
        x.zeroGrad()
        XCTAssertEqual(x.grad!.scalars, [0, 0])
        // A tensor used twice sums both paths.
        let y = Tensor([2], shape: [1]); y.requiresGrad = true
        (y * y + y).sum().backward()
        XCTAssertEqual(y.grad!.scalars, [5])
    }

    func testNoGradRecordsNothing() {
        let x = Tensor([1, 2], shape: [2]); x.requiresGrad = true
        let y = noGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue((x * 2).requiresGrad)
    }

    func testSeededRandomRepeats() {
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        XCTAssertEqual(Tensor.randn([5], rng: &a).scalars, Tensor.randn([5], rng: &b).scalars)
        let x = Tensor.ones([64])
        var r1 = RandomGenerator(seed: 2), r2 = RandomGenerator(seed: 2)
        XCTAssertEqual(x.dropout(0.5, rng: &r1).scalars, x.dropout(0.5, rng: &r2).scalars)
    }
}
