import Foundation
import Tensor
@testable import SuperEditor

/// A small prepared cache in the real layout, made without audio: smooth random raw mels,
/// per-beat labels that leave a mark in the raw mel, and targets that follow the labels' meaning (KEEP copies, CUT silences,
/// fades ramp, EFFECT darkens the upper bands).
enum ToyCache {
    static func make(pairs: Int, frames: Int = 120, seed: UInt64 = 1, validationFraction: Double? = nil) throws -> URL {
        let dir = temporaryDirectory()
        for sub in ["features", "labels", "aligned"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let layout = CacheLayout(root: dir)
        if let validationFraction {
            try JSONSerialization.data(withJSONObject: ["validation_fraction": validationFraction]).write(to: layout.manifest)
        }
        var rng = RandomGenerator(seed: seed)
        for p in 0..<pairs {
            let id = String(format: "toy%03d", p)
            let t = frames + Int(rng.next() % 40)
            var mel = [Float](repeating: 0, count: t * 128)
            for f in 0..<t { for b in 0..<128 {
                mel[f * 128 + b] = 0.5 + 0.3 * sin(Float(f) * 0.3 + Float(b) * 0.1 + Float(p)) * Float(128 - b) / 128
            } }
            var labels = [Int](repeating: 1, count: t)
            var f = 0
            var beatStarts: [Int] = [], beatLabels: [Int] = []
            while f < t {
                let beat = min(t - f, 10)
                let l = f == 0 ? 3 : (f + beat >= t ? 4 : [0, 1, 1, 1, 2, 5, 6][Int(rng.next() % 7)])
                for k in f..<(f + beat) { labels[k] = l }
                beatStarts.append(f); beatLabels.append(l)
                f += beat
            }
            // Each label leaves a mark in the raw mel (a brighter band), so that a policy can
            // learn the labels from the raw audio alone, as from the synthetic music.
            for f in 0..<t { for b in (labels[f] * 16)..<(labels[f] * 16 + 8) { mel[f * 128 + b] = min(1, mel[f * 128 + b] + 0.4) } }
            var target = mel
            for f in 0..<t {
                let gain: Float
                switch labels[f] {
                case 0: gain = 0
                case 3: gain = Float(f % 10) / 10
                case 4: gain = 1 - Float(f % 10) / 10
                case 6: gain = 0.7
                default: gain = 1
                }
                for b in 0..<128 {
                    target[f * 128 + b] *= gain * (labels[f] == 5 && b > 64 ? 0.3 : 1)
                }
            }
            let kept = (0..<t).filter { labels[$0] != 0 }
            let edited = kept.flatMap { target[($0 * 128)..<($0 * 128 + 128)] }
            func features(_ m: [Float], _ n: Int) -> [String: NPYArray] {
                ["mel": NPYArray(m, shape: [n, 128]), "beat_times": NPYArray([0.0, 0.5], shape: [2]),
                 "db_min": .scalar(-80.0), "db_max": .scalar(0.0), "sample_rate": .scalar(Int64(22050)), "hop_length": .scalar(Int64(512))]
            }
            try NPZ.write(features(mel, t), to: layout.rawFeatures(id))
            try NPZ.write(features(edited, kept.count), to: layout.editedFeatures(id))
            try NPY.write(NPYArray(target, shape: [t, 128]), to: layout.alignedTarget(id))
            try NPY.write(NPYArray(labels.map { Int64($0) }, shape: [t]), to: layout.frameLabels(id))
            try NPY.write(NPYArray(beatLabels.map { Int64($0) }, shape: [beatLabels.count]), to: layout.beatLabels(id))
            try NPY.write(NPYArray(beatStarts.map { Double($0 * 512) / 22050 }, shape: [beatStarts.count]), to: layout.beats(id))
        }
        return dir
    }
}
