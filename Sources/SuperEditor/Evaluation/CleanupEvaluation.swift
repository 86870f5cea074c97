import AudioDSP
import Foundation
import Tensor

/// How a policy treats known defects: on pairs whose truth says why each beat is edited
/// (`style-pairs --style cleanup`, `synth`), the policy decides on each raw recording as
/// `edit` does, and every beat is judged by its true reason.
/// - a defect beat (truth CUT: dropout, noise burst, click, wrong level, count-in, dead air)
///   is *treated* when the policy cuts it or low-passes it (CUT or EFFECT);
/// - a clean beat (any other truth) is *kept* when the policy does neither.
public struct CleanupReport: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var reason: String
        public var defect: Bool
        public var beats: Int
        /// Predicted label name → beats.
        public var predicted: [String: Int]
        /// Treated (defect rows) or kept (clean rows).
        public var handled: Int
        public var share: Double { beats > 0 ? Double(handled) / Double(beats) : 0 }

        enum CodingKeys: String, CodingKey { case reason, defect, beats, predicted, handled }
    }

    public var rows: [Row]
    public var pairs: Int
    /// The CUT bias the policy's beats were decided with (`BeatDecisions.best(cutBias:)`).
    public var cutBias: Double = 0

    enum CodingKeys: String, CodingKey { case rows, pairs, cutBias = "cut_bias" }
    public var defectBeats: Int { rows.filter(\.defect).reduce(0) { $0 + $1.beats } }
    public var defectsTreated: Int { rows.filter(\.defect).reduce(0) { $0 + $1.handled } }
    public var cleanBeats: Int { rows.filter { !$0.defect }.reduce(0) { $0 + $1.beats } }
    public var cleanKept: Int { rows.filter { !$0.defect }.reduce(0) { $0 + $1.handled } }
    public var treatedShare: Double { defectBeats > 0 ? Double(defectsTreated) / Double(defectBeats) : 0 }
    public var keptShare: Double { cleanBeats > 0 ? Double(cleanKept) / Double(cleanBeats) : 0 }

    /// The per-reason table a person reads, then the two headline shares.
    public func table() -> String {
        let labels = EditLabel.actions.map(\.name)
        var lines = ["reason        beats  " + labels.map { $0.padding(toLength: 6, withPad: " ", startingAt: 0) }.joined(separator: " ") + "  handled"]
        for r in rows {
            let counts = labels.map { String(format: "%6d", r.predicted[$0] ?? 0) }.joined(separator: " ")
            lines.append(r.reason.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%7d", r.beats) + "  " + counts
                         + String(format: "  %5.1f%% %@", 100 * r.share, r.defect ? "treated" : "kept"))
        }
        lines.append(String(format: "defect beats treated (CUT or EFFECT): %d of %d, %.1f%%", defectsTreated, defectBeats, 100 * treatedShare))
        lines.append(String(format: "clean beats kept: %d of %d, %.1f%%", cleanKept, cleanBeats, 100 * keptShare))
        return lines.joined(separator: "\n")
    }
}

public enum CleanupEvaluation {
    /// Judges `policy` on every pair of `folder` (the synth layout: raw/{id}.wav, truth/{id}.json):
    /// one report per CUT bias (`BeatDecisions.best(cutBias:)`; nil: the policy's own,
    /// `PredictorConfig.cutBias`), from one pass of the policy, which shows the trade between
    /// defects treated and clean beats kept.
    public static func evaluate(folder: URL, policy: any PolicyModel, cutBiases: [Double]? = nil,
                                progress: ((Int, Int) -> Void)? = nil) throws -> [CleanupReport] {
        let cutBiases = cutBiases ?? [policy.config.cutBias]
        precondition(!cutBiases.isEmpty, "at least one CUT bias")
        let truthDir = folder.appendingPathComponent("truth")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: truthDir.path) else {
            throw InputError(truthDir.path, "no truth folder (expected the synth layout: raw/, edited/, truth/)")
        }
        let ids = names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        guard !ids.isEmpty else { throw InputError(truthDir.path, "no truth files") }
        var tables = [[String: CleanupReport.Row]](repeating: [:], count: cutBiases.count)
        for (n, id) in ids.enumerated() {
            let truth = try SynthTruth.read(truthDir.appendingPathComponent("\(id).json"))
            let rawURL = folder.appendingPathComponent("raw/\(id).wav")
            let audio = try AudioFile.load(rawURL)
            let features = try FeatureExtractor().extract(audio.samples, source: rawURL.path)
            let decisions = EditPipeline.decisions(features, policy: policy)
            let reasons = beatReasons(truth)
            let hop = Double(features.hopLength) / Double(features.sampleRate)
            for (t, bias) in cutBiases.enumerated() {
                for (b, label) in decisions.best(cutBias: bias).enumerated() {
                    let mid = Double(decisions.spans[b].lowerBound + decisions.spans[b].upperBound) / 2 * hop
                    let k = max(0, (truth.beatTimes.lastIndex { $0 <= mid }) ?? 0)
                    guard k < truth.labels.count else { continue }
                    let defect = truth.labels[k] == EditLabel.cut.rawValue
                    var row = tables[t][reasons[k]] ?? CleanupReport.Row(reason: reasons[k], defect: defect, beats: 0, predicted: [:], handled: 0)
                    row.beats += 1
                    row.predicted[label.name, default: 0] += 1
                    let removes = label == .cut || label == .effect
                    if removes == defect { row.handled += 1 }
                    tables[t][reasons[k]] = row
                }
            }
            progress?(n + 1, ids.count)
        }
        return zip(tables, cutBiases).map { rows, bias in
            let ordered = rows.values.sorted { ($0.defect ? 0 : 1, $0.reason) < ($1.defect ? 0 : 1, $1.reason) }
            return CleanupReport(rows: ordered, pairs: ids.count, cutBias: bias)
        }
    }

    /// Each truth beat's reason, from the edit script's steps (a label name where no step covers it).
    static func beatReasons(_ truth: SynthTruth) -> [String] {
        var out = truth.labelNames.map { $0.lowercased() }
        for step in truth.editScript {
            for k in step.firstBeat...max(step.firstBeat, step.lastBeat) where k < out.count { out[k] = step.reason }
        }
        return out
    }
}
