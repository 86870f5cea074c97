import Foundation
import XCTest
@testable import SuperEditor

final class StylePairsTests: XCTestCase {
    /// A recording (here a synthetic raw track) becomes a pair in the style: fades at both
    /// ends, each dropout cut with the beat before it looped, bursts low-passed; the edit lasts
    /// what its labels say; the same seed gives the same pair.
    func testAPairFollowsTheStyle() throws {
        let source = SynthPair.generate(seed: 31, index: 0, seconds: 40...40).raw
        var maker = StylePairs()
        maker.seconds = 24...24
        let pair = try XCTUnwrap(maker.make(samples: source, sampleRate: 22050, seed: 7, id: "song_0"))
        let labels = pair.truth.labels.map { EditLabel(rawValue: $0)! }
        XCTAssertEqual(Array(labels.prefix(2)), [.fadeIn, .fadeIn])
        XCTAssertEqual(Array(labels.suffix(2)), [.fadeOut, .fadeOut])
        XCTAssertGreaterThan(labels.filter { $0 == .cut }.count, 0)
        XCTAssertGreaterThan(labels.filter { $0 == .effect }.count, 0)
        for (k, l) in labels.enumerated() where l == .cut { XCTAssertEqual(labels[k - 1], .loop, "beat before a dropout") }
        for (k, l) in labels.enumerated() where l == .loop { XCTAssertEqual(labels[k + 1], .cut) }
        let starts = pair.truth.beatTimes.map { Int(($0 * 22050).rounded()) }
        let spans = EditTimeline.beatSpans(positions: starts, total: pair.raw.count)
        XCTAssertEqual(pair.edited.count, EditTimeline.outputLength(spans: spans, labels: labels))
        // A dropout is (mostly: the raw's grid need not fall exactly on it) silence in the raw.
        let cut = spans[labels.firstIndex(of: .cut)!]
        XCTAssertGreaterThan(pair.raw[cut].filter { $0 == 0 }.count * 2, cut.count)
        let again = try XCTUnwrap(maker.make(samples: source, sampleRate: 22050, seed: 7, id: "song_0"))
        XCTAssertEqual(again.raw, pair.raw)
        XCTAssertEqual(again.truth, pair.truth)
        // Too short for the style: no pair.
        XCTAssertNil(maker.make(samples: Array(source.prefix(22050 * 5)), sampleRate: 22050, seed: 7, id: "short"))
    }
}
