import AudioDSP
import Foundation
import XCTest
@testable import SuperEditor

/// The kept source ranges of an edit as an OpenTimelineIO timeline and a CMX 3600 EDL.
final class TimelineExportsTests: XCTestCase {
    /// A 6-beat edit of a synthetic recording with hand-set labels (no models needed).
    func edit(_ names: [String]) throws -> (EditPipeline.Result, URL) {
        let dir = temporaryDirectory()
        try SynthPair.generate(seed: 5, index: 0, seconds: 10...10).write(to: dir)
        let raw = dir.appendingPathComponent("raw/synth_00000.wav")
        let beats = names.enumerated().map { i, l in EditExports.BeatLabel(start: 1.0 + Double(i) * 1.2, end: 2.2 + Double(i) * 1.2, label: l) }
        return (try EditPipeline().apply(labels: beats, to: raw, reconstruction: nil), raw)
    }

    func testRangesAreTheKeptBeatsInPlayOrder() throws {
        let (r, _) = try edit(["KEEP", "CUT", "KEEP", "LOOP", "LOOP", "FADE_OUT"])
        let spans = EditTimeline.beatSpans(positions: r.beatStartTimes.map { Int(($0 * Double(r.sampleRate)).rounded()) },
                                           total: r.input.samples.count)
        let ranges = TimelineExports.ranges(r)
        // Beat 0 alone (beat 1 is cut); 2-3-4 in a row; the loop's second pass 3-4 runs on into 5.
        XCTAssertEqual(ranges.map(\.samples), [spans[0], spans[2].lowerBound..<spans[4].upperBound,
                                               spans[3].lowerBound..<spans[5].upperBound])
        XCTAssertEqual(ranges.map(\.labels), [[.keep], [.keep, .loop, .loop], [.loop, .loop, .fadeOut]])
        // The ranges add up to the rendered length.
        XCTAssertEqual(ranges.reduce(0) { $0 + $1.samples.count }, r.audio.count)
        XCTAssertEqual(TimelineExports.keptRanges(r).first?.upperBound ?? 0, Double(spans[0].upperBound) / Double(r.sampleRate), accuracy: 1e-12)
    }

    func testOTIOClipsCarryTheRangesInSamples() throws {
        let (r, raw) = try edit(["KEEP", "CUT", "KEEP", "LOOP", "LOOP", "KEEP"])
        let json = try JSONSerialization.jsonObject(with: Data(TimelineExports.otio(r, source: raw).utf8)) as! [String: Any]
        XCTAssertEqual(json["OTIO_SCHEMA"] as? String, "Timeline.1")
        let stack = json["tracks"] as! [String: Any]
        let track = (stack["children"] as! [[String: Any]])[0]
        XCTAssertEqual(track["kind"] as? String, "Audio")
        let clips = track["children"] as! [[String: Any]]
        let got: [Range<Int>] = clips.map { c in
            let sr = c["source_range"] as! [String: Any]
            let start = (sr["start_time"] as! [String: Any])["value"] as! Double, dur = (sr["duration"] as! [String: Any])["value"] as! Double
            XCTAssertEqual((sr["start_time"] as! [String: Any])["rate"] as? Double, Double(r.sampleRate))
            let media = (c["media_references"] as! [String: Any])["DEFAULT_MEDIA"] as! [String: Any]
            XCTAssertEqual(media["target_url"] as? String, raw.absoluteURL.absoluteString)
            return Int(start) ..< Int(start + dur)
        }
        XCTAssertEqual(got, TimelineExports.ranges(r).map(\.samples))
    }

    func testEDLEventsMatchTheRangesAndRecordTimesRunOn() throws {
        let (r, raw) = try edit(["KEEP", "CUT", "KEEP", "LOOP", "LOOP", "KEEP"])
        let text = TimelineExports.edl(r, source: raw)
        XCTAssertTrue(text.hasPrefix("TITLE: synth_00000 edited\nFCM: NON-DROP FRAME\n"))
        let fps = Double(TimelineExports.edlFramesPerSecond)
        func frames(_ tc: Substring) -> Int {
            let p = tc.split(separator: ":").map { Int($0)! }
            return ((p[0] * 60 + p[1]) * 60 + p[2]) * Int(fps) + p[3]
        }
        let events = text.split(separator: "\n").filter { $0.first?.isNumber == true }.map { $0.split(separator: " ") }
        let ranges = TimelineExports.ranges(r)
        XCTAssertEqual(events.count, ranges.count)
        var record = 0
        for (e, k) in zip(events, ranges) {
            XCTAssertEqual(e[1], "AX"); XCTAssertEqual(e[2], "AA"); XCTAssertEqual(e[3], "C")
            let (sIn, sOut, rIn, rOut) = (frames(e[4]), frames(e[5]), frames(e[6]), frames(e[7]))
            XCTAssertEqual(Double(sIn), Double(k.samples.lowerBound) * fps / Double(r.sampleRate), accuracy: 0.5)
            XCTAssertEqual(Double(sOut), Double(k.samples.upperBound) * fps / Double(r.sampleRate), accuracy: 0.5)
            XCTAssertEqual(rIn, record, "the record side has no gaps")
            XCTAssertEqual(rOut - rIn, sOut - sIn)
            record = rOut
        }
    }
}
