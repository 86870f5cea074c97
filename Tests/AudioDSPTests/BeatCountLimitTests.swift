import AudioDSP
import Foundation
import Tensor
import XCTest

/// The beat tracker's output is held to `InputLimits.maxBeats` like a beat file is.
final class BeatCountLimitTests: XCTestCase {
    override func tearDown() { InputLimits.current = InputLimits() }

    func testMoreBeatsThanTheLimitIsAOneLineError() throws {
        let url = DSPFixtures.url("music.flac")
        let beats = try FeatureExtractor().beats(url).frames.count
        XCTAssertGreaterThan(beats, 2)
        InputLimits.current.maxBeats = beats - 1
        let expected = "\(url.path): \(beats) beats, over the limit of \(beats - 1) beats (--max-beats raises it)"
        XCTAssertThrowsError(try FeatureExtractor().beats(url)) { XCTAssertEqual("\($0)", expected) }
        XCTAssertThrowsError(try FeatureExtractor().extract(url)) { XCTAssertEqual("\($0)", expected) }
        InputLimits.current.maxBeats = beats
        XCTAssertEqual(try FeatureExtractor().extract(url).beatFrames.count, beats)
    }
}
