import Foundation
import Tensor

/// From per-frame policy log-probabilities to one label per beat (DESIGN.md, "From frames back
/// to beats"): each beat takes the label with the largest summed log-probability over its
/// frames. Also chooses labels that reach a requested duration.
public struct BeatDecisions {
    /// Frame spans of the beats (`EditTimeline.beatSpans`): the first also covers the start,
    /// the last runs to the end.
    public let spans: [Range<Int>]
    /// Summed log-probability of each action (`EditLabel.actions`) over each beat's frames.
    public let scores: [[Double]]
    /// Mean per-frame probability of each action over each beat.
    public let meanProbability: [[Double]]

    /// `beatFrames` are the frames the beats start at (the first beat also covers the frames
    /// before it, as in training); without beats the whole signal is one beat.
    public init(logProbabilities logp: UnsafePointer<Float>, frames: Int, beatFrames: [Int]) {
        spans = EditTimeline.beatSpans(positions: beatFrames.isEmpty ? [0] : beatFrames, total: frames)
        let actions = EditLabel.actions.count
        var s: [[Double]] = [], mp: [[Double]] = []
        for span in spans {
            var sum = [Double](repeating: 0, count: actions), prob = [Double](repeating: 0, count: actions)
            for f in span {
                for k in 0..<actions {
                    let lp = Double(logp[f * EditLabel.count + k])
                    sum[k] += lp
                    prob[k] += Foundation.exp(lp)
                }
            }
            s.append(sum)
            mp.append(prob.map { $0 / Double(max(span.count, 1)) })
        }
        scores = s
        meanProbability = mp
    }

    /// The best label of every beat.
    public var greedy: [EditLabel] { best(cutBias: 0) }

    /// The best label of every beat, with `cutBias` (nats per frame) added to CUT's
    /// log-probability where it is weighed against KEEP's: a beat whose best label is KEEP or
    /// CUT is cut once P(CUT) is above e^−cutBias times P(KEEP), so a positive bias removes
    /// more and keeps less. A beat the policy fades, loops, low-passes or joins keeps that
    /// label: the bias trades defects left in against music cut, and a fade at the music's
    /// ends is neither. 0 is `greedy`.
    public func best(cutBias: Double) -> [EditLabel] {
        zip(scores, spans).map { score, span in
            let plain = EditLabel(rawValue: score.argmax!)!
            guard plain == .cut || plain == .keep else { return plain }
            return score[EditLabel.cut.rawValue] + cutBias * Double(max(span.count, 1)) > score[EditLabel.keep.rawValue] ? .cut : .keep
        }
    }

    /// Per-frame labels for per-beat ones.
    public func frameLabels(_ beats: [EditLabel]) -> [Int] {
        var out = [Int](repeating: EditLabel.keep.rawValue, count: spans.last?.upperBound ?? 0)
        for (span, l) in zip(spans, beats) { for f in span { out[f] = l.rawValue } }
        return out
    }

    /// Output frames the timeline produces for these beat labels.
    public func outputFrames(_ beats: [EditLabel]) -> Int {
        EditTimeline.outputLength(spans: spans, labels: beats)
    }

    /// Labels whose edit lasts `target` ± `slack` frames, starting from the best choice and
    /// changing first the beats where the policy itself is least sure. Beats in `protected`
    /// are never cut. Returns nil when no such choice exists.
    public func labels(targetFrames target: Int, slack: Int, protected: Set<Int>, cutBias: Double = 0) -> [EditLabel]? {
        var labels = best(cutBias: cutBias)
        for b in protected where labels[b] == .cut { labels[b] = bestKept(b) }
        let lo = target - slack, hi = target + slack
        func length() -> Int { outputFrames(labels) }
        // Too long: cut (or stop looping) the beats where CUT costs the least log-probability.
        if length() > hi {
            let order = spans.indices.filter { !protected.contains($0) }
                .sorted { cost($0, .cut) < cost($1, .cut) }
            for b in order where length() > hi {
                if labels[b] == .loop { labels[b] = bestKept(b, excludingLoop: true); if length() <= hi { break } }
                if length() > hi && labels[b] != .cut { labels[b] = .cut }
            }
        }
        // Too short: restore cut beats, then loop, where that costs the least.
        if length() < lo {
            for b in spans.indices.filter({ labels[$0] == .cut }).sorted(by: { cost($0, bestKept($0)) < cost($1, bestKept($1)) })
                where length() < lo { labels[b] = bestKept(b) }
            for b in spans.indices.filter({ labels[$0] != .loop && labels[$0] != .cut }).sorted(by: { cost($0, .loop) < cost($1, .loop) })
                where length() < lo { labels[b] = .loop }
        }
        let n = length()
        return n >= lo && n <= hi ? labels : nil
    }

    /// How much log-probability a beat loses by taking `label` instead of its best.
    func cost(_ b: Int, _ label: EditLabel) -> Double { (scores[b].max() ?? 0) - scores[b][label.rawValue] }

    func bestKept(_ b: Int, excludingLoop: Bool = false) -> EditLabel {
        let allowed = EditLabel.actions.filter { $0 != .cut && !(excludingLoop && $0 == .loop) }
        return allowed.max { scores[b][$0.rawValue] < scores[b][$1.rawValue] }!
    }
}
