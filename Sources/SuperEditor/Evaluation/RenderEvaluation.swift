import AudioDSP
import Foundation
import NN
import Tensor

/// How close each renderer comes to the true edit on synthetic pairs: the mel distance (mean
/// absolute difference of dB mel spectrograms, floored at −80 dB below the truth's peak) and
/// the multi-resolution STFT distance (spectral convergence plus log-magnitude L1 at three
/// Hann-windowed resolutions), both over the frames the two signals share. Measured with the
/// true labels (the renderer alone) and with the policy's labels (the whole system).
public enum RenderEvaluation {
    public struct Distances: Codable, Sendable {
        public var melDB: Double
        public var multiResolutionSTFT: Double
        enum CodingKeys: String, CodingKey { case melDB = "mel_db", multiResolutionSTFT = "mr_stft" }
    }

    public struct Row: Codable, Sendable {
        public var renderer: String
        public var labels: String
        public var distances: Distances
        public var pairs: Int
    }

    public static func distances(_ a: [Float], _ b: [Float], sampleRate: Int) -> Distances {
        let mel = MelSpectrogram(sampleRate: sampleRate)
        var pa = mel.power(a), pb = mel.power(b)
        let m = mel.nMels
        let frames = min(pa.count, pb.count) / m
        let peak = pb.prefix(frames * m).max() ?? 1
        MelSpectrogram.powerToDB(&pa, ref: .value(peak), topDB: nil)
        MelSpectrogram.powerToDB(&pb, ref: .value(peak), topDB: nil)
        var sum = 0.0
        for i in 0..<(frames * m) { sum += Double(abs(max(pa[i], -80) - max(pb[i], -80))) }
        let n = min(a.count, b.count)
        let x = Tensor(Array(a.prefix(n)), shape: [1, n]), y = Tensor(Array(b.prefix(n)), shape: [1, n])
        var mr = 0.0
        let sizes = [(512, 128), (1024, 256), (2048, 512)]
        for (fft, hop) in sizes {
            let w = (0..<fft).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(fft))) }
            let sx = x.stft(nFFT: fft, hop: hop, window: w), sy = y.stft(nFFT: fft, hop: hop, window: w)
            let sc = (sy - sx).norm().item / max(sy.norm().item, 1e-12)
            let mag = ((sx.complexAbs() + 1e-7).log() - (sy.complexAbs() + 1e-7).log()).abs().mean().item
            mr += Double(sc + mag)
        }
        return Distances(melDB: frames > 0 ? sum / Double(frames * m) : 0, multiResolutionSTFT: mr / Double(sizes.count))
    }

    /// Up to `limit` pairs of a `synth` folder (raw/, edited/, truth/).
    public static func evaluate(synth: URL, policy: any PolicyModel, reconstruction: ReconstructionModel, limit: Int = 5,
                                griffinLimIterations: Int = 32) throws -> [Row] {
        let truthDir = synth.appendingPathComponent("truth")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: truthDir.path).filter({ $0.hasSuffix(".json") }).sorted(),
              !names.isEmpty else { throw InputError(truthDir.path, "no truth files (expected a folder made by `super-editor synth`)") }
        var sums: [String: (Double, Double, Int)] = [:]
        for name in names.prefix(limit) {
            let id = String(name.dropLast(5))
            let truth = try SynthTruth.read(truthDir.appendingPathComponent(name))
            let raw = synth.appendingPathComponent("raw/\(id).wav")
            let edited = try AudioFile.load(synth.appendingPathComponent("edited/\(id).wav"))
            let trueBeats = (0..<truth.beatTimes.count).map { i in
                EditExports.BeatLabel(start: i == 0 ? 0 : truth.beatTimes[i],
                                      end: i + 1 < truth.beatTimes.count ? truth.beatTimes[i + 1] : truth.rawDuration, label: truth.labelNames[i])
            }
            for renderer in EditPipeline.Renderer.allCases {
                var p = EditPipeline()
                p.renderer = renderer
                p.griffinLimIterations = griffinLimIterations
                let predicted = try p.run(input: raw, policy: policy, reconstruction: reconstruction)
                let given = try p.apply(labels: trueBeats, to: raw, reconstruction: reconstruction)
                for (kind, r) in [("policy", predicted), ("true", given)] {
                    let d = distances(r.audio, edited.samples, sampleRate: r.sampleRate)
                    let key = "\(renderer.rawValue)|\(kind)"
                    let s = sums[key] ?? (0, 0, 0)
                    sums[key] = (s.0 + d.melDB, s.1 + d.multiResolutionSTFT, s.2 + 1)
                }
            }
        }
        return sums.keys.sorted().map { key in
            let parts = key.split(separator: "|").map(String.init), s = sums[key]!
            return Row(renderer: parts[0], labels: parts[1], distances: .init(melDB: s.0 / Double(s.2), multiResolutionSTFT: s.1 / Double(s.2)), pairs: s.2)
        }
    }

    public static func table(_ rows: [Row]) -> String {
        var lines = ["| renderer | labels | mel distance (dB) | MR-STFT distance | pairs |", "|---|---|---|---|---|"]
        for r in rows {
            lines.append(String(format: "| %@ | %@ | %.2f | %.3f | %d |", r.renderer, r.labels, r.distances.melDB, r.distances.multiResolutionSTFT, r.pairs))
        }
        return lines.joined(separator: "\n")
    }
}
