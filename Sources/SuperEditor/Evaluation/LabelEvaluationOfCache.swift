import Tensor
import Foundation
import NN

extension LabelEvaluation {
    /// Compares the labels `prepare` inferred (in `cache`) with the generator's truth files.
    public static func evaluate(truth: URL, cache: URL, tolerance: Double = 0.07) throws -> LabelEvaluation {
        let layout = CacheLayout(root: cache)
        var evaluation = LabelEvaluation(tolerance: tolerance)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: truth.path, isDirectory: &isDir), isDir.boolValue else {
            throw InputError(truth.path, "no such folder")
        }
        guard FileManager.default.fileExists(atPath: cache.path, isDirectory: &isDir), isDir.boolValue else {
            throw InputError(cache.path, "no such folder")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: truth.path).filter { $0.hasSuffix(".json") }.sorted()
        for name in names {
            let t = try SynthTruth.read(truth.appendingPathComponent(name))
            let id = String(name.dropLast(5))
            guard layout.isComplete(id) else { continue }
            let beats = try CacheLayout.readBeatTimes(layout.beats(id))
            let beatLabels = try CacheLayout.readLabels(layout.beatLabels(id), count: beats.count)
            let frameLabels = try CacheLayout.readLabels(layout.frameLabels(id))
            let truthLabels = try t.labels.map { v in
                guard let l = EditLabel(rawValue: v), l != .pad else { throw InputError(name, "label \(v) is not a valid edit label") }
                return l
            }
            let hop = try CacheLayout.readFeatures(layout.rawFeatures(id)).hopLength
            evaluation.add(truthTimes: t.beatTimes, truthLabels: truthLabels,
                           detectedTimes: beats, detectedLabels: beatLabels, predictedFrames: frameLabels,
                           sampleRate: t.sampleRate, hop: hop)
        }
        if evaluation.pairs == 0 {
            throw InputError(cache.path, "no prepared pair matches a truth file in \(truth.path) (\(names.count) truth files)")
        }
        return evaluation
    }
}
