import ArgumentParser
import Foundation
import NN
import SuperEditor

struct EvaluateLabels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Compare the labels `prepare` inferred with the synthetic pairs' true labels (beats matched within 70 ms)."
    )

    @Option(help: "Folder of truth/{id}.json files written by `synth`.")
    var truth: String

    @Option(help: "Cache folder written by `prepare`.")
    var cache: String

    @Option(help: "Beat matching tolerance in seconds.")
    var tolerance: Double = 0.07

    @Flag(help: "Print JSON: beat_accuracy, frame_accuracy, recall, precision, confusion.")
    var json = false

    func run() throws {
        let layout = CacheLayout(root: URL(fileURLWithPath: cache))
        var evaluation = LabelEvaluation(tolerance: tolerance)
        do {
            let truthDir = URL(fileURLWithPath: truth)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: truth, isDirectory: &isDir), isDir.boolValue else {
                throw InputError(truth, "no such folder")
            }
            guard FileManager.default.fileExists(atPath: cache, isDirectory: &isDir), isDir.boolValue else {
                throw InputError(cache, "no such folder")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: truth).filter { $0.hasSuffix(".json") }.sorted()
            var missing = 0
            for name in names {
                let t = try SynthTruth.read(truthDir.appendingPathComponent(name))
                let id = String(name.dropLast(5))
                guard layout.isComplete(id) else { missing += 1; continue }
                let beats = try NPY.read(layout.beats(id)).doubles()
                let beatLabels = try labels(NPY.read(layout.beatLabels(id)).int64s(), file: layout.beatLabels(id))
                let frameLabels = try labels(NPY.read(layout.frameLabels(id)).int64s(), file: layout.frameLabels(id))
                guard beats.count == beatLabels.count else {
                    throw InputError(layout.beats(id).path, "\(beats.count) beats for \(beatLabels.count) labels")
                }
                evaluation.add(truthTimes: t.beatTimes, truthLabels: try labels(t.labels.map(Int64.init), file: name),
                               detectedTimes: beats, detectedLabels: beatLabels, predictedFrames: frameLabels,
                               sampleRate: t.sampleRate, hop: 512)
            }
            if evaluation.pairs == 0 {
                throw InputError(cache, "no prepared pair matches a truth file in \(truth) (\(names.count) truth files)")
            }
            if missing > 0 { FileHandle.standardError.write(Data("note: \(missing) truth files have no prepared pair in the cache\n".utf8)) }
        } catch {
            throw failure(error)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: evaluation.jsonObject(), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(evaluation.table(), terminator: "")
        }
    }

    func labels(_ values: [Int64], file: String) throws -> [EditLabel] {
        try values.map { v in
            guard let l = EditLabel(rawValue: Int(v)) else { throw InputError(file, "label \(v) is not a valid edit label") }
            return l
        }
    }

    func labels(_ values: [Int64], file: URL) throws -> [EditLabel] { try labels(values, file: file.path) }
}
