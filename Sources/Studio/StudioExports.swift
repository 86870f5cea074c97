import Foundation
import SuperEditor

/// The files the studio exports from the current output, each written into the session folder
/// by the library's own writer (`EditOutput`, as `edit` writes them), then sent to the browser.
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

    /// Writes this export of `r` (the output of `source`) to `url`, as `edit` writes it.
    func write(_ r: EditPipeline.Result, source: URL, to url: URL) throws {
        try output.write(r, source: source, to: url)
    }

    /// The library's writer for this export.
    var output: EditOutput {
        switch self {
        case .wav: return .wav
        case .labels: return .labels
        case .audacity: return .audacity
        case .otio: return .otio
        case .edl: return .edl
        }
    }
}
