import AudioDSP
import Tensor
import Foundation
import NN

/// What `edit` writes besides the audio: the per-beat labels as JSON (which `reconstruct`
/// reads back), an Audacity label track, and a picture.
public enum EditExports {
    public struct BeatLabel: Codable, Equatable, Sendable {
        public var start: Double
        public var end: Double
        public var label: String
        public var probability: Double?
        public init(start: Double, end: Double, label: String, probability: Double? = nil) {
            self.start = start; self.end = end; self.label = label; self.probability = probability
        }
    }

    public static func beatLabels(_ r: EditPipeline.Result) -> [BeatLabel] {
        (0..<r.labels.count).map {
            BeatLabel(start: r.beatStartTimes[$0], end: r.beatEndTimes[$0], label: r.labels[$0].name, probability: r.probabilities[$0])
        }
    }

    public static func writeJSON(_ labels: [BeatLabel], to url: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(labels), to: url)
    }

    /// Reads a labels file as `--labels-out` writes it (start, end, label; probability optional).
    public static func readJSON(_ url: URL) throws -> [BeatLabel] {
        guard let data = try? Data(contentsOf: url) else { throw InputError(url.path, "cannot read labels file") }
        guard let labels = try? JSONDecoder().decode([BeatLabel].self, from: data) else {
            throw InputError(url.path, "not a labels file: expected a JSON list of {\"start\", \"end\", \"label\"}")
        }
        guard !labels.isEmpty else { throw InputError(url.path, "labels file has no beats") }
        try InputLimits.current.checkBeatTimes(labels.map(\.start), file: url.path)
        for (i, l) in labels.enumerated() {
            guard EditLabel(name: l.label) != nil, l.label.uppercased() != "PAD" else {
                throw InputError(url.path, "beat \(i) has unknown label '\(l.label)' (use \(EditLabel.actions.map(\.name).joined(separator: ", ")))")
            }
            guard l.start.isFinite, l.end > l.start, i == 0 || l.start >= labels[i - 1].start else {
                throw InputError(url.path, "beat \(i) has times \(l.start)…\(l.end), which are not increasing")
            }
        }
        return labels
    }

    /// Audacity's label-track text: start, end and name separated by tabs, one region a line.
    public static func audacityTrack(_ labels: [BeatLabel]) -> String {
        labels.map { String(format: "%.6f\t%.6f\t%@", $0.start, $0.end, $0.label) }.joined(separator: "\n") + "\n"
    }

    /// The input's waveform and mel with coloured label regions, above the output's.
    public static func plot(_ r: EditPipeline.Result, width: Int = 1000) -> Raster {
        let left = 70, wave = 70, melH = 128, gap = 10
        var img = Raster(width: left + width + 10, height: 2 * (wave + melH + 3 * gap) + 70)
        let total = Double(r.input.samples.count) / Double(r.sampleRate)
        var y = 8
        img.text("INPUT  \(String(format: "%.1f S", total))", x: left, y: y)
        y += 20
        for (i, l) in r.labels.enumerated() {
            let x0 = Int(r.beatStartTimes[i] / total * Double(width)), x1 = Int(r.beatEndTimes[i] / total * Double(width))
            img.fill(x: left + x0, y: y, w: max(1, x1 - x0), h: 10, color: Colormap.label(l.rawValue))
        }
        y += 14
        drawWave(&img, r.input.samples, x: left, y: y, w: width, h: wave)
        img.text("WAVE", x: 4, y: y + wave / 2, scale: 1)
        y += wave + gap
        r.features.mel.withUnsafeBufferPointer { img.heatmap($0.baseAddress!, frames: r.features.frames, bins: r.features.nMels, x: left, y: y, w: width, h: melH) }
        img.text("MEL", x: 4, y: y + melH / 2, scale: 1)
        y += melH + 2 * gap
        let outDur = Double(r.audio.count) / Double(r.sampleRate)
        img.text("OUTPUT  \(String(format: "%.1f S", outDur))", x: left, y: y)
        y += 20
        let outWidth = max(1, Int(Double(width) * outDur / max(total, 1e-9)))
        drawWave(&img, r.audio, x: left, y: y, w: min(width, outWidth), h: wave)
        y += wave + gap
        let (outMel, outFrames) = renderedMel(r)
        if outFrames > 0 {
            outMel.withUnsafeBufferPointer {
                img.heatmap($0.baseAddress!, frames: outFrames, bins: r.features.nMels, x: left, y: y, w: min(width, outWidth), h: melH)
            }
        }
        y += melH + gap
        var lx = left
        for label in EditLabel.actions {
            img.fill(x: lx, y: y, w: 10, h: 10, color: Colormap.label(label.rawValue))
            img.text(label.name, x: lx + 14, y: y + 2, scale: 1)
            lx += 14 + 4 * (label.name.count + 2)
        }
        return img
    }

    /// The normalised log-mel of the rendered output audio (what the WAV holds, not the
    /// reconstruction model's mel), and its frame count.
    public static func renderedMel(_ r: EditPipeline.Result) -> (mel: [Float], frames: Int) {
        let mel = FeatureExtractor().mel
        guard !r.audio.isEmpty else { return ([], 0) }
        var db = mel.power(r.audio)
        MelSpectrogram.powerToDB(&db, ref: .max)
        _ = MelSpectrogram.normalise(&db)
        return (db, db.count / mel.nMels)
    }

    static func drawWave(_ img: inout Raster, _ s: [Float], x: Int, y: Int, w: Int, h: Int) {
        guard !s.isEmpty else { return }
        let peak = max(s.reduce(Float(0)) { max($0, abs($1)) }, 1e-9)
        for px in 0..<w {
            let lo = px * s.count / w, hi = max(lo + 1, (px + 1) * s.count / w)
            var mn: Float = 0, mx: Float = 0
            for i in lo..<min(hi, s.count) { mn = min(mn, s[i]); mx = max(mx, s[i]) }
            let y0 = y + h / 2 - Int(mx / peak * Float(h / 2)), y1 = y + h / 2 - Int(mn / peak * Float(h / 2))
            img.fill(x: x + px, y: y0, w: 1, h: max(1, y1 - y0), color: (40, 70, 140))
        }
    }
}

extension EditExports {
    public static func writeText(_ text: String, to url: URL) throws { try AtomicFile.write(Data(text.utf8), to: url) }
}
