import AudioDSP
import Foundation
import SuperEditor

/// The files the studio exports from the current output, each written into the session folder
/// by the library's own writer (the formats `edit` writes), then sent to the browser.
public enum StudioExport: String, CaseIterable, Sendable {
    case wav, labels, audacity, otio, edl

    /// The download's name, from the recording's.
    func filename(for source: URL) -> String {
        let stem = source.deletingPathExtension().lastPathComponent
        switch self {
        case .wav: return "\(stem)-edited.wav"
        case .labels: return "\(stem)-labels.json"
        case .audacity: return "\(stem)-labels.txt"
        case .otio: return "\(stem)-edited.otio"
        case .edl: return "\(stem)-edited.edl"
        }
    }

    var contentType: String {
        switch self {
        case .wav: return "audio/wav"
        case .labels, .otio: return "application/json"
        case .audacity, .edl: return "text/plain; charset=utf-8"
        }
    }

    /// Writes this export of `r` (the output of `source`) to `url`.
    func write(_ r: EditPipeline.Result, source: URL, to url: URL) throws {
        switch self {
        case .wav: try AudioFile.write(r.audio, sampleRate: r.sampleRate, to: url)
        case .labels: try EditExports.writeJSON(EditExports.beatLabels(r), to: url)
        case .audacity: try EditExports.writeText(EditExports.audacityTrack(EditExports.beatLabels(r)), to: url)
        case .otio: try EditExports.writeText(TimelineExports.otio(r, source: source), to: url)
        case .edl: try EditExports.writeText(TimelineExports.edl(r, source: source), to: url)
        }
    }
}
