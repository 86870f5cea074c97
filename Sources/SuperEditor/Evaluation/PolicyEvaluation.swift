import Foundation
import NN
import Tensor

/// Phase 2's evaluation on the validation split with greedy decoding, for a policy of either
/// architecture, on whole tracks (a frame policy in windows of `maxSeqLen` frames): the
/// guide's reward, label accuracy against the per-frame truth, per-class precision/recall,
/// macro-F1, duration error and how often the label changes, next to the always-KEEP
/// baseline; and the same per beat, as `edit` decides (each beat the label with the largest
/// summed log-probability over its frames), against the cache's per-beat labels.
public struct PolicyMetrics: Codable, Sendable {
    public var averageReward: Double
    public var rewardTerms: [String: Double]
    public var labelAccuracy: Double
    public var majorityBaseline: Double
    public var macroF1: Double
    /// |edited length from predicted labels − true edited length| / true edited length.
    public var durationError: Double
    /// |KEEP share predicted − KEEP share true|.
    public var keepRatioError: Double
    public var perClass: [String: ClassScore]
    public var changeRate: Double
    public var frames: Int
    /// Per beat: accuracy, always-KEEP, macro-F1, class scores, and the duration error of the
    /// edit the beat decisions make.
    public var beatAccuracy: Double
    public var beatMajorityBaseline: Double
    public var beatMacroF1: Double
    public var beatPerClass: [String: ClassScore]
    public var beatDurationError: Double
    public var beats: Int

    public struct ClassScore: Codable, Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    enum CodingKeys: String, CodingKey {
        case averageReward = "average_reward", rewardTerms = "reward_terms", labelAccuracy = "label_accuracy"
        case majorityBaseline = "majority_baseline", macroF1 = "macro_f1", durationError = "duration_error"
        case keepRatioError = "keep_ratio_error", perClass = "per_class", changeRate = "change_rate", frames
        case beatAccuracy = "beat_accuracy", beatMajorityBaseline = "beat_majority_baseline", beatMacroF1 = "beat_macro_f1"
        case beatPerClass = "beat_per_class", beatDurationError = "beat_duration_error", beats
    }
}

public enum PolicyEvaluation {
    public static func evaluate(policy: any PolicyModel, reconstruction: ReconstructionModel,
                                dataset: PairedMelDataset, ids: [String]? = nil, maxSeqLen: Int = 2048) throws -> PolicyMetrics {
        policy.eval(); reconstruction.eval()
        let k = EditLabel.actions.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k), beatConfusion = confusion
        var rewards: [Reward] = []
        var predLen = 0, trueLen = 0, keepP = 0, keepT = 0, changes = 0, transitions = 0, frames = 0
        var beatPredLen = 0, beatTrueLen = 0
        let frameRate = Double(dataset.sampleRate) / Double(dataset.hopLength)
        for id in ids ?? dataset.validationIDs {
            let p = try dataset.pair(id)
            let len = p.frames
            let logp = policy.trackLogProbabilities(mel: p.mel, frames: len, beatFrames: p.beatFrames, transient: p.transient, frameRate: frameRate,
                                                    window: maxSeqLen)
            let pred = logp.withUnsafeBufferPointer { lb in
                (0..<len).map { UnsafeBufferPointer(start: lb.baseAddress! + $0 * EditLabel.count, count: k).argmax! }
            }
            let batch = try dataset.makeBatch([(p, 0, len)])
            rewards.append(contentsOf: RewardModel.rewards(reconstruction: reconstruction, batch: batch, actions: pred))
            let truth = p.labels
            for (a, b) in zip(truth, pred) { confusion[a][b] += 1 }
            predLen += EditTimeline.playOrder(pred.map { EditLabel(rawValue: $0)! }).count
            trueLen += EditTimeline.playOrder(truth.map { EditLabel(rawValue: $0)! }).count
            keepP += pred.filter { $0 == EditLabel.keep.rawValue }.count
            keepT += truth.filter { $0 == EditLabel.keep.rawValue }.count
            for i in 1..<max(1, len) where pred[i] != pred[i - 1] { changes += 1 }
            transitions += max(0, len - 1)
            frames += len
            let decisions = logp.withUnsafeBufferPointer { BeatDecisions(logProbabilities: $0.baseAddress!, frames: len, beatFrames: p.beatFrames) }
            let beatPred = decisions.greedy
            for (a, b) in zip(p.beatLabels, beatPred) { beatConfusion[a][b.rawValue] += 1 }
            beatPredLen += decisions.outputFrames(beatPred)
            beatTrueLen += decisions.outputFrames(p.beatLabels.map { EditLabel(rawValue: $0)! })
        }
        let scores = Self.classScores(confusion), beatScores = Self.classScores(beatConfusion)
        let n = Double(max(rewards.count, 1))
        func mean(_ f: (Reward) -> Float) -> Double { rewards.reduce(0) { $0 + Double(f($1)) } / n }
        let beats = beatConfusion.map { $0.reduce(0, +) }.reduce(0, +)
        return PolicyMetrics(
            averageReward: mean(\.total),
            rewardTerms: ["reconstruction": mean(\.reconstruction), "label": mean(\.label), "duration": mean(\.duration),
                          "smoothness": mean(\.smoothness)],
            labelAccuracy: accuracy(confusion), majorityBaseline: majority(confusion), macroF1: macroF1(scores),
            durationError: trueLen > 0 ? Double(abs(predLen - trueLen)) / Double(trueLen) : 0,
            keepRatioError: abs(Double(keepP - keepT)) / Double(max(frames, 1)),
            perClass: scores, changeRate: Double(changes) / Double(max(transitions, 1)), frames: frames,
            beatAccuracy: accuracy(beatConfusion), beatMajorityBaseline: majority(beatConfusion), beatMacroF1: macroF1(beatScores),
            beatPerClass: beatScores,
            beatDurationError: beatTrueLen > 0 ? Double(abs(beatPredLen - beatTrueLen)) / Double(beatTrueLen) : 0, beats: beats)
    }

    static func accuracy(_ c: [[Int]]) -> Double {
        Double(c.indices.map { c[$0][$0] }.reduce(0, +)) / Double(max(c.map { $0.reduce(0, +) }.reduce(0, +), 1))
    }

    static func majority(_ c: [[Int]]) -> Double {
        Double(c.map { $0.reduce(0, +) }.max() ?? 0) / Double(max(c.map { $0.reduce(0, +) }.reduce(0, +), 1))
    }

    /// Mean F1 over the classes present in the truth, summed in the labels' order (a
    /// dictionary's order changes from run to run, and with it the last bit of the sum).
    static func macroF1(_ scores: [String: PolicyMetrics.ClassScore]) -> Double {
        let present = EditLabel.actions.compactMap { scores[$0.name] }.filter { $0.support > 0 }
        return present.isEmpty ? 0 : present.map(\.f1).reduce(0, +) / Double(present.count)
    }

    /// Precision, recall and F1 per class from a confusion matrix (rows: truth, columns: prediction).
    public static func classScores(_ c: [[Int]]) -> [String: PolicyMetrics.ClassScore] {
        var out: [String: PolicyMetrics.ClassScore] = [:]
        for l in EditLabel.actions {
            let k = l.rawValue
            let tp = Double(c[k][k]), support = c[k].reduce(0, +)
            let predicted = Double(c.map { $0[k] }.reduce(0, +))
            let precision = predicted > 0 ? tp / predicted : 0
            let recall = support > 0 ? tp / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            out[l.name] = .init(precision: precision, recall: recall, f1: f1, support: support)
        }
        return out
    }
}

/// The Phase 2 reward for a batch: the frozen model's output for the chosen labels is put
/// through the timeline and compared with the real edit of the same frames (the aligned
/// target through the true labels' timeline).
public enum RewardModel {
    public static func rewards(reconstruction: ReconstructionModel, batch: PairedMelDataset.Batch, actions: [Int]) -> [Reward] {
        let b = batch.mel.shape[0], t = batch.mel.shape[1], m = batch.mel.shape[2]
        var labels = actions
        for i in 0..<b { for f in batch.lengths[i]..<t { labels[i * t + f] = EditLabel.pad.rawValue } }
        let out = reconstruction.infer(batch.mel, labels: labels)
        return (0..<b).map { i in
            let len = batch.lengths[i]
            let pred = Array(labels[(i * t)..<(i * t + len)])
            let truth = Array(batch.labels[(i * t)..<(i * t + len)])
            let edited = EditTimeline.apply(out.data + i * t * m, width: m, labels: pred)
            let real = EditTimeline.apply(batch.target.data + i * t * m, width: m, labels: truth)
            return edited.withUnsafeBufferPointer { e in
                real.withUnsafeBufferPointer { r in
                    Reward.compute(predictedMel: e.baseAddress ?? UnsafePointer(bitPattern: 8)!, predictedFrames: edited.count / m,
                                   targetMel: r.baseAddress ?? UnsafePointer(bitPattern: 8)!, targetFrames: real.count / m, mels: m,
                                   predictedLabels: pred, targetLabels: truth)
                }
            }
        }
    }
}

extension EditTimeline {
    /// Per-frame rows rearranged by the timeline of per-frame labels (each frame a "beat").
    public static func apply(_ rows: UnsafePointer<Float>, width: Int, labels: [Int]) -> [Float] {
        let order = playOrder(labels.map { EditLabel(rawValue: $0) ?? .pad })
        var out = [Float](repeating: 0, count: order.count * width)
        out.withUnsafeMutableBufferPointer { o in
            for (i, f) in order.enumerated() { (o.baseAddress! + i * width).update(from: rows + f * width, count: width) }
        }
        return out
    }
}
