import XCTest
@testable import Tensor

/// Every differentiable op against central finite differences.
final class GradientTests: XCTestCase {
    var rng = RandomGenerator(seed: 42)

    func rand(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, rng: &rng)
    }

    func check(_ inputs: [Tensor], tolerance: Double = 2e-2, eps: Float = 1e-2, file: StaticString = #filePath,
               line: UInt = #line, _ f: ([Tensor]) -> Tensor) {
        let r = GradientCheck.run(inputs, eps: eps, f)
        XCTAssertLessThan(r.maxError, tolerance, r.description, file: file, line: line)
    }

    func testBroadcastingArithmetic() {
        check([rand([3, 4]), rand([3, 4])]) { $0[0] + $0[1] }
        check([rand([3, 4]), rand([4])]) { $0[0] - $0[1] }
        check([rand([2, 3, 4]), rand([3, 1])]) { $0[0] * $0[1] }
        check([rand([3, 4]), rand([3, 4], 0.5, 2)]) { $0[0] / $0[1] }
        check([rand([4]), rand([2, 4])]) { $0[0] * $0[1] }
        check([Tensor([0.1, -0.5, 0.9, 0.3], shape: [4]), Tensor([0.4, -0.9, 0.2, 0.8], shape: [4])]) { $0[0].minimum($0[1]) }
        check([rand([]), rand([2, 3])]) { $0[0] * $0[1] }
    }

    func testScalarArithmetic() {
        check([rand([5])]) { $0[0] * 3 + 1 }
        check([rand([5])]) { 2 - $0[0] / 4 }
    }

    func testElementwiseMath() {
        check([rand([10], 0.1, 1)]) { $0[0].abs() }
        check([rand([10])]) { $0[0].exp() }
        check([rand([10], 0.5, 2)]) { $0[0].log() }
        check([rand([10], 0.5, 2)]) { $0[0].sqrt() }
        check([rand([10], 0.5, 2)]) { $0[0].pow(3) }
        check([rand([10], 0.5, 2)]) { $0[0].pow(2) }
        check([Tensor([-0.9, -0.3, 0.2, 0.7, 1.5], shape: [5])]) { $0[0].clamp(min: -0.5, max: 1) }
        check([Tensor([-0.9, -0.3, 0.2, 0.7, 1.5], shape: [5])]) { $0[0].relu() }
        check([rand([10], -3, 3)]) { $0[0].gelu() }
    }

    func testShapeOps() {
        check([rand([2, 3, 4])]) { $0[0].reshaped([4, 6]) }
        check([rand([2, 3, 4])]) { $0[0].permuted([2, 0, 1]) }
        check([rand([2, 3, 4])]) { $0[0].transposed(1, 2) }
        check([rand([2, 5, 3])]) { $0[0].slice(axis: 1, 1..<4) }
        check([rand([2, 3]), rand([2, 4])]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
        check([rand([5, 3])]) { $0[0].gatherRows([4, 0, 4, 2], indexShape: [2, 2]) }
        check([rand([2, 4])]) { $0[0].maskedFill([false, true, false, false], value: 0) }
        check([rand([2, 1, 3])]) { $0[0].squeezed(1).unsqueezed(0) }
        check([rand([3, 4])]) { $0[0].pick([2, 0, 3]) }
        // Overlapping, empty and single-row segments.
        check([rand([6, 3])]) { $0[0].segmentMean([0..<2, 2..<6, 3..<4, 0..<0], segmentShape: [2, 2]) * $0[0].segmentMean([1..<5, 5..<6, 0..<6, 2..<3], segmentShape: [2, 2]) }
    }

    func testMatrixProducts() {
        check([rand([3, 4]), rand([4, 5])]) { $0[0].matmul($0[1]) }
        check([rand([2, 3, 4]), rand([2, 4, 5])]) { $0[0].matmul($0[1]) }
        check([rand([2, 3, 4]), rand([4, 5])]) { $0[0].matmul($0[1]) }
        check([rand([2, 3, 4]), rand([5, 4]), rand([5])]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        check([rand([3, 4]), rand([5, 4])]) { $0[0].linear(weight: $0[1], bias: nil) }
    }

    func testReductions() {
        check([rand([3, 4])]) { $0[0].sum() }
        check([rand([3, 4])]) { $0[0].mean() }
        check([rand([2, 3, 4])]) { $0[0].sum(axes: [1]) }
        check([rand([2, 3, 4])]) { $0[0].mean(axes: [0, 2], keepDims: true) }
        check([rand([3, 4])]) { $0[0].norm() }
    }

    func testSoftmaxAndLayerNorm() {
        check([rand([3, 5], -2, 2)]) { $0[0].softmax() }
        check([rand([3, 5], -2, 2)]) { $0[0].logSoftmax() }
        check([rand([4, 6], -2, 2), rand([6], 0.5, 1.5), rand([6])]) {
            $0[0].layerNorm(weight: $0[1], bias: $0[2])
        }
    }

    func testDropoutUsesItsMask() {
        var r = RandomGenerator(seed: 3)
        let x = rand([100])
        check([x]) { var g = r; return $0[0].dropout(0.3, rng: &g) }
        let y = x.dropout(0.5, rng: &r)
        let zeros = y.scalars.filter { $0 == 0 }.count
        XCTAssert(zeros > 25 && zeros < 75, "dropout zeroed \(zeros) of 100")
        for (a, b) in zip(x.scalars, y.scalars) where b != 0 { XCTAssertEqual(b, a * 2, accuracy: 1e-6) }
    }

    func testConv1d() {
        check([rand([2, 3, 7]), rand([4, 3, 5]), rand([4])]) { $0[0].conv1d(weight: $0[1], bias: $0[2], padding: 2) }
        check([rand([1, 2, 6]), rand([3, 2, 3])]) { $0[0].conv1d(weight: $0[1], bias: nil, padding: 0) }
    }

    func testAttention() {
        var r = RandomGenerator(seed: 5)
        let mask = [false, false, false, true, false, false, true, true]
        check([rand([2, 4, 12])]) { $0[0].multiHeadAttention(heads: 2, keyPaddingMask: mask, rng: &r) }
        check([rand([1, 5, 6])]) { $0[0].multiHeadAttention(heads: 1, rng: &r) }
        let seed = RandomGenerator(seed: 9)
        check([rand([2, 4, 18])]) { var g = seed; return $0[0].multiHeadAttention(heads: 3, dropout: 0.3, rng: &g) }
    }

    func testSTFTAndMagnitude() {
        check([rand([2, 40])], tolerance: 3e-2) { $0[0].stft(nFFT: 16, hop: 4) }
        check([rand([1, 30])], tolerance: 3e-2) { $0[0].stft(nFFT: 8, hop: 3, winLength: 6, window: [0.2, 0.5, 1, 1, 0.5, 0.2]) }
        check([rand([3, 2])]) { $0[0].complexAbs() }
        check([rand([1, 64])], tolerance: 3e-2) { ($0[0].stft(nFFT: 16, hop: 4).complexAbs() + 0.5).log() }
    }
}
