import XCTest
@testable import AudioDSP

final class TransientCrestTests: XCTestCase {
    /// A 1.5 ms click on a dense tone mix stands far above the music's own frames, in the frame
    /// the STFT centres on it; silence gives 0; the frame count is the mel's.
    func testAClickStandsOutAndSilenceIsZero() {
        let sr = 22_050, hop = 512, n = sr * 2
        var y = (0..<n).map { i -> Float in
            let t = Float(i) / Float(sr)
            return 0.2 * sinf(2 * .pi * 220 * t) + 0.15 * sinf(2 * .pi * 1375 * t) + 0.1 * sinf(2 * .pi * 3100 * t)
        }
        let at = 30 * hop + 40, width = Int(0.0015 * Double(sr))
        for i in at..<(at + width) { y[i] = 0.95 * Float(exp(-Double(i - at) / (0.3 * Double(width)))) }
        for i in (n - sr / 2)..<n { y[i] = 0 }
        let frames = 1 + n / hop
        let c = TransientCrest.frames(y, hop: hop, frames: frames)
        XCTAssertEqual(c.count, frames)
        let music = Array(c[5..<25]).sorted()
        XCTAssertGreaterThan(c[30], music.last! + 1.5, "the click's frame")
        XCTAssertEqual(c.firstIndex(of: c.max()!), 30)
        XCTAssertEqual(c[frames - 5], 0, accuracy: 1e-6, "digital silence")
        // As the feature extractor gives it.
        let f = try! FeatureExtractor().extract(y)
        XCTAssertEqual(f.transient, c)
        XCTAssertEqual(f.transient.count, f.frames)
    }
}
