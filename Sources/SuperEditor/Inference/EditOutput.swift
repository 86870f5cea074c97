import AudioDSP
import Foundation

/// The files an edit can be written as — the rendered audio and its descriptions — each by the
/// library's own writer, atomically. `edit` and the studio both write through this.
public enum EditOutput: String, CaseIterable, Sendable {
    /// The rendered audio (WAV), the per-beat labels JSON (`reconstruct --labels` reads it),
    /// an Audacity label track, an OpenTimelineIO timeline, a CMX 3600 EDL, the PNG plot.
    case wav, labels, audacity, otio, edl, plot

    /// Writes this output of `r` (the edit of `source`) to `url`.
    public func write(_ r: EditPipeline.Result, source: URL, to url: URL) throws {
        switch self {
        case .wav: try AudioFile.write(r.audio, sampleRate: r.sampleRate, to: url)
        case .labels: try EditExports.writeJSON(EditExports.beatLabels(r), to: url)
        case .audacity: try EditExports.writeText(EditExports.audacityTrack(EditExports.beatLabels(r)), to: url)
        case .otio: try EditExports.writeText(TimelineExports.otio(r, source: source), to: url)
        case .edl: try EditExports.writeText(TimelineExports.edl(r, source: source), to: url)
        case .plot: try EditExports.plot(r).writePNG(to: url)
        }
    }
}
