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
        var examples: [(PairedMelDataset.Batch, Tensor)] = []
        let metrics = Phase1Evaluation.evaluate(model, batches: batches, clamp: clamp) { b, p in
            if examples.count < plotCount { examples.append((b, p)) }
        }
        if let plots {
            try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
            for (b, p) in examples {
                let m = b.mel.shape[2], len = b.lengths[0]
                let img = MelComparisonPlot.render(title: b.ids[0], raw: Array(UnsafeBufferPointer(start: b.mel.data, count: len * m)),
                                                   target: Array(UnsafeBufferPointer(start: b.target.data, count: len * m)),
                                                   predicted: Array(UnsafeBufferPointer(start: p.data, count: len * m)),
                                                   labels: Array(b.labels[0..<len]), frames: len, bins: m)
                try img.writePNG(to: plots.appendingPathComponent("\(b.ids[0]).png"))
            }
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
                     String(format: "| KEEP preservation | %.1f%% | > 95%% | %@ |", 100 * m.keepPreservation, ok(t.keep)),
                     "", "| label | L1 |", "|---|---|"]
        for l in EditLabel.actions { if let v = m.perLabelL1[l.name] { lines.append(String(format: "| %@ | %.4f |", l.name, v)) } }
        return lines.joined(separator: "\n")
    }
}
