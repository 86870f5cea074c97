import Foundation
import Tensor

/// An edit as a timeline of the source recording for video and audio editors: the kept source
/// ranges, in the order they play, as an OpenTimelineIO timeline (`.otio`) and as a CMX 3600
/// EDL. A range is a run of beats that follow each other in the source (`EditTimeline.segments`);
/// a LOOP run appears twice. Fades and the effect are the renderer's and are not in the
/// timeline; each range lists its beats' labels (OTIO metadata, EDL comments).
public enum TimelineExports {
    /// One kept range of the source: samples, and the labels of the beats it holds.
    public struct Range: Equatable, Sendable {
        public var samples: Swift.Range<Int>
        public var labels: [EditLabel]
    }

    /// The kept ranges in play order, in samples of the input.
    public static func ranges(_ r: EditPipeline.Result) -> [Range] {
        let sr = Double(r.sampleRate)
        let starts = r.beatStartTimes.map { Int(($0 * sr).rounded()) }
        let spans = EditTimeline.beatSpans(positions: starts, total: r.input.samples.count)
        return EditTimeline.segmentsWithBeats(spans: spans, labels: r.labels).map { Range(samples: $0.range, labels: $0.beats.map { r.labels[$0] }) }
    }

    /// The kept source ranges in seconds, in play order.
    public static func keptRanges(_ r: EditPipeline.Result) -> [Swift.Range<Double>] {
        let sr = Double(r.sampleRate)
        return ranges(r).map { Double($0.samples.lowerBound) / sr ..< Double($0.samples.upperBound) / sr }
    }

    // MARK: OpenTimelineIO

    /// An OpenTimelineIO timeline (schema of OTIO 0.15 and later) with one audio track whose
    /// clips are the kept ranges of `source`, timed in samples (rate = the sample rate), so the
    /// ranges are exact.
    public static func otio(_ r: EditPipeline.Result, source: URL) -> String {
        let rate = Double(r.sampleRate)
        func time(_ samples: Int) -> [String: Any] { ["OTIO_SCHEMA": "RationalTime.1", "rate": rate, "value": Double(samples)] }
        func range(_ s: Swift.Range<Int>) -> [String: Any] {
            ["OTIO_SCHEMA": "TimeRange.1", "start_time": time(s.lowerBound), "duration": time(s.count)]
        }
        let media: [String: Any] = ["OTIO_SCHEMA": "ExternalReference.1", "name": source.lastPathComponent, "metadata": [String: Any](),
                                    "target_url": source.absoluteURL.absoluteString,
                                    "available_range": range(0..<r.input.samples.count)]
        let clips: [[String: Any]] = ranges(r).enumerated().map { i, k in
            ["OTIO_SCHEMA": "Clip.2", "name": "\(source.deletingPathExtension().lastPathComponent) \(i + 1)",
             "metadata": ["super_editor": ["labels": k.labels.map(\.name)]],
             "source_range": range(k.samples), "effects": [Any](), "markers": [Any](), "enabled": true,
             "media_references": ["DEFAULT_MEDIA": media], "active_media_reference_key": "DEFAULT_MEDIA"]
        }
        func composition(_ schema: String, _ name: String, _ children: [[String: Any]], kind: String? = nil) -> [String: Any] {
            var c: [String: Any] = ["OTIO_SCHEMA": schema, "name": name, "metadata": [String: Any](), "source_range": NSNull(),
                                    "effects": [Any](), "markers": [Any](), "enabled": true, "children": children]
            if let kind { c["kind"] = kind }
            return c
        }
        let track = composition("Track.1", "edit", clips, kind: "Audio")
        let timeline: [String: Any] = ["OTIO_SCHEMA": "Timeline.1", "name": "\(source.lastPathComponent) edited",
                                       "metadata": ["super_editor": ["sample_rate": r.sampleRate]],
                                       "global_start_time": NSNull(), "tracks": composition("Stack.1", "tracks", [track])]
        let data = (try? JSONSerialization.data(withJSONObject: timeline, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: CMX 3600 EDL

    /// The EDL's frame rate: 25 fps non-drop timecode (a frame is 40 ms).
    public static let edlFramesPerSecond = 25

    /// A CMX 3600 EDL: one audio cut event per kept range, source in/out from the range and
    /// record in/out running on from 00:00:00:00, at 25 fps. A range's times are rounded to the
    /// nearest frame, and record times add up the rounded lengths, so the record side has no gaps.
    public static func edl(_ r: EditPipeline.Result, source: URL) -> String {
        let fps = edlFramesPerSecond, sr = r.sampleRate
        func frames(_ samples: Int) -> Int { Int((Double(samples) * Double(fps) / Double(sr)).rounded()) }
        func tc(_ f: Int) -> String {
            String(format: "%02d:%02d:%02d:%02d", f / (3600 * fps), f / (60 * fps) % 60, f / fps % 60, f % fps)
        }
        let reel = "AX"
        var lines = ["TITLE: \(source.deletingPathExtension().lastPathComponent) edited", "FCM: NON-DROP FRAME", ""]
        var record = 0
        for (i, k) in ranges(r).enumerated() {
            let sIn = frames(k.samples.lowerBound), sOut = frames(k.samples.upperBound)
            guard sOut > sIn else { continue }
            let event = String(format: "%03d", i + 1)
            lines.append("\(event)  \(reel.padding(toLength: 8, withPad: " ", startingAt: 0)) AA    C        "
                         + "\(tc(sIn)) \(tc(sOut)) \(tc(record)) \(tc(record + sOut - sIn))")
            lines.append("* FROM CLIP NAME: \(source.lastPathComponent)")
            lines.append("* SUPER EDITOR LABELS: \(k.labels.map(\.name).joined(separator: " "))")
            lines.append("")
            record += sOut - sIn
        }
        return lines.joined(separator: "\n")
    }
}
