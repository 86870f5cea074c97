import Foundation
import Tensor

/// `evaluate reconstruction`: the Phase 1 metrics on the validation split, as a table or
/// JSON, with optional example plots. Validation windows are `maxSeqLen` frames, by default
/// the model's training crop, as in the validation during training.
public struct Phase1Report {
    public let metrics: Phase1Metrics
    public let pairs: Int

    public static func make(model: ReconstructionModel, dataset: PairedMelDataset, maxSeqLen: Int? = nil,
                            plots: URL? = nil, plotCount: Int = 3, clamp: Bool = true) throws -> Phase1Report {
        let batches = try dataset.validationBatches(batchSize: 4, maxSeqLen: maxSeqLen ?? model.config.trainedFrames ?? 1024)
        // The example of each pair is its window with the most kinds of label, and the plots
        // are of the pairs whose example has the most: a window that is all one edit shows little.
        var examples: [String: (kinds: Int, image: Raster)] = [:]
        // More kinds first; among equals, the first id.
        func before(_ a: (key: String, value: (kinds: Int, image: Raster)), _ b: (key: String, value: (kinds: Int, image: Raster))) -> Bool {
            (a.value.kinds, b.key) > (b.value.kinds, a.key)
        }
        let metrics = Phase1Evaluation.evaluate(model, batches: batches, clamp: clamp) { b, p in
            guard plots != nil else { return }
            let t = b.mel.shape[1], m = b.mel.shape[2]
            for (i, id) in b.ids.enumerated() {
                let len = b.lengths[i], labels = Array(b.labels[(i * t)..<(i * t + len)])
                let kinds = Set(labels).count
                if let e = examples[id], e.kinds >= kinds { continue }
                func rows(_ x: Tensor) -> [Float] { Array(UnsafeBufferPointer(start: x.data + i * t * m, count: len * m)) }
                examples[id] = (kinds, MelComparisonPlot.render(title: id, raw: rows(b.mel), target: rows(b.target), predicted: rows(p),
                                                               labels: labels, frames: len, bins: m))
                if examples.count > plotCount, let worst = examples.max(by: before) {
                    examples[worst.key] = nil
                }
            }
        }
        if let plots {
            try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
            let chosen = examples.sorted(by: before).prefix(plotCount)
            for (id, e) in chosen { try e.image.writePNG(to: plots.appendingPathComponent("\(id).png")) }
        }
        return Phase1Report(metrics: metrics, pairs: dataset.validationIDs.count)
    }

    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(metrics)) ?? Data(), as: UTF8.self)
    }

    public var table: String {
        let m = metrics, t = m.meetsTargets
        func ok(_ b: Bool) -> String { b ? "met" : "NOT met" }
        var lines = ["Phase 1 on \(pairs) validation pairs (\(m.frames) frames)",
                     "| metric | value | target | |", "|---|---|---|---|",
                     String(format: "| L1 | %.4f | < 0.1 | %@ |", m.l1, ok(t.l1)),
                     String(format: "| STFT loss | %.4f | < 1.0 | %@ |", m.stft, ok(t.stft)),
                     String(format: "| consistency | %.4f | | |", m.consistency),
                     String(format: "| %@ | %.1f%% | > 95%% | %@ |", m.keepPreservationName, 100 * m.keepPreservation, ok(t.keep)),
                     "", "| label | L1 |", "|---|---|"]
        for l in EditLabel.actions { if let v = m.perLabelL1[l.name] { lines.append(String(format: "| %@ | %.4f |", l.name, v)) } }
        return lines.joined(separator: "\n")
    }
}
