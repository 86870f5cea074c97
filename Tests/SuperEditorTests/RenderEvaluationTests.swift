import XCTest
@testable import SuperEditor

final class RenderEvaluationTests: XCTestCase {
    func testDistancesAreZeroForTheSameSignalAndGrowWithDifference() {
        let sr = 22050
        // Broadband (a linear congruential noise), so every mel band sits well above the −80 dB floor.
        var state: UInt32 = 12345
        let x = (0..<(sr * 2)).map { _ -> Float in state = state &* 1_664_525 &+ 1_013_904_223; return Float(state >> 8) / Float(1 << 24) - 0.5 }
        let same = RenderEvaluation.distances(x, x, sampleRate: sr)
        XCTAssertEqual(same.melDB, 0, accuracy: 1e-9)
        XCTAssertEqual(same.multiResolutionSTFT, 0, accuracy: 1e-6)
        let quieter = RenderEvaluation.distances(x.map { $0 * 0.5 }, x, sampleRate: sr)
        XCTAssertEqual(quieter.melDB, 6.02, accuracy: 0.1, "half the amplitude is 6 dB down everywhere")
        let noisy = RenderEvaluation.distances(x.enumerated().map { $0.element + Float(sin(Double($0.offset) * 0.2)) }, x, sampleRate: sr)
        XCTAssertGreaterThan(noisy.multiResolutionSTFT, quieter.multiResolutionSTFT * 0.1)
        XCTAssertGreaterThan(noisy.multiResolutionSTFT, 0.05)
    }
}
