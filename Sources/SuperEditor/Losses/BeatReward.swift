import Foundation

/// The guide's reward decomposed so that each beat gets credit for its own label.
///
/// - reconstruction, per beat, in source-aligned coordinates: the beat's frames as the
///   predicted label plays them (CUT 0 times, LOOP twice, else once) against the same frames
///   of the aligned target as the true label plays them, copy by copy; a copy only one side
///   plays is compared with silence. Summed over beats and divided by the true edit's frames,
///   this is the guide's term whenever the two labellings play the same frames, and unlike
///   the guide's a CUT or LOOP does not shift every later beat's comparison;
/// - label, per beat: 5 · (beat's frames / track's frames) when the label is the true one,
///   which sums exactly to the guide's term;
/// - duration and smoothness at the sequence level, exactly as the guide's.
public enum BeatReward {
    /// How often a label plays its beat.
    public static func plays(_ l: EditLabel) -> Int { l == .cut || l == .pad ? 0 : (l == .loop ? 2 : 1) }

    /// One beat's reconstruction term (−10 · summed |difference| / (true edit frames · n_mels)).
    public static func reconstruction(output: UnsafePointer<Float>, target: UnsafePointer<Float>, mels m: Int,
                                      span: Range<Int>, predicted: EditLabel, truth: EditLabel, trueEditFrames: Int) -> Double {
        let pp = plays(predicted), pt = plays(truth)
        guard max(pp, pt) > 0, trueEditFrames > 0 else { return 0 }
        var both = 0.0, onlyPredicted = 0.0, onlyTrue = 0.0
        for f in span {
            let o = output + f * m, t = target + f * m
            for j in 0..<m {
                both += Double(abs(o[j] - t[j]))
                onlyPredicted += Double(abs(o[j]))
                onlyTrue += Double(abs(t[j]))
            }
        }
        let shared = Double(min(pp, pt))
        let sum = shared * both + Double(max(0, pp - pt)) * onlyPredicted + Double(max(0, pt - pp)) * onlyTrue
        return -10 * sum / Double(trueEditFrames * m)
    }

    /// One beat's label term.
    public static func label(span: Range<Int>, frames: Int, predicted: EditLabel, truth: EditLabel) -> Double {
        predicted == truth ? 5 * Double(span.count) / Double(max(frames, 1)) : 0
    }

    /// The guide's duration term for per-beat labels.
    public static func duration(spans: [Range<Int>], predicted: [EditLabel], truth: [EditLabel]) -> Double {
        let t = Double(max(spans.last?.upperBound ?? 0, 1))
        var kp = 0, kt = 0
        for (b, s) in spans.enumerated() {
            if predicted[b] == .keep { kp += s.count }
            if truth[b] == .keep { kt += s.count }
        }
        return 3 * (1 - abs(Double(kp) / t - Double(kt) / t))
    }

    /// The guide's smoothness term for per-beat labels: the label changes only where one
    /// non-empty beat meets the next.
    public static func smoothness(spans: [Range<Int>], predicted: [EditLabel]) -> Double {
        let t = spans.last?.upperBound ?? 0
        guard t > 1 else { return 0 }
        var changes = 0, previous: EditLabel?
        for (b, s) in spans.enumerated() where !s.isEmpty {
            if let p = previous, p != predicted[b] { changes += 1 }
            previous = predicted[b]
        }
        return -2 * Double(changes) / Double(t - 1)
    }

    /// Frames the true labels' edit lasts.
    public static func editFrames(spans: [Range<Int>], labels: [EditLabel]) -> Int {
        zip(spans, labels).reduce(0) { $0 + $1.0.count * plays($1.1) }
    }

    /// Every term of one labelling: per-beat reconstruction and label terms, and the two
    /// sequence terms. `output` is the frozen model's output for these labels, `target` the
    /// aligned target; both frames × n_mels in source coordinates.
    public struct Terms {
        public var reconstruction: [Double]
        public var label: [Double]
        public var duration: Double
        public var smoothness: Double
        public var total: Double { reconstruction.reduce(0, +) + label.reduce(0, +) + duration + smoothness }
    }

    public static func terms(output: UnsafePointer<Float>, target: UnsafePointer<Float>, mels m: Int, spans: [Range<Int>],
                             predicted: [EditLabel], truth: [EditLabel]) -> Terms {
        let frames = spans.last?.upperBound ?? 0
        let trueFrames = editFrames(spans: spans, labels: truth)
        return Terms(
            reconstruction: spans.indices.map {
                reconstruction(output: output, target: target, mels: m, span: spans[$0], predicted: predicted[$0],
                               truth: truth[$0], trueEditFrames: trueFrames)
            },
            label: spans.indices.map { label(span: spans[$0], frames: frames, predicted: predicted[$0], truth: truth[$0]) },
            duration: duration(spans: spans, predicted: predicted, truth: truth),
            smoothness: smoothness(spans: spans, predicted: predicted))
    }
}

/// For one track, what each beat earns with each of the seven actions, for learning with the
/// exact expectation over actions: the reconstruction term from the frozen model's output with
/// every frame given that action (so the table is fixed for the track and computed once),
/// plus the label term. The beats' neighbours' labels do not enter, which is the
/// approximation that gives each beat its own credit.
public struct BeatRewardTable: Sendable {
    /// beats × actions: reconstruction + label term.
    public let perBeat: [[Double]]
    public let spans: [Range<Int>]
    public let truth: [EditLabel]
    public var frames: Int { spans.last?.upperBound ?? 0 }

    /// `outputs[a]` is the model's output (frames × n_mels) with every frame labelled action a.
    public init(outputs: [[Float]], target: [Float], mels m: Int, spans: [Range<Int>], truth: [EditLabel]) {
        precondition(outputs.count == EditLabel.actions.count, "one output per action")
        let frames = spans.last?.upperBound ?? 0
        let trueFrames = BeatReward.editFrames(spans: spans, labels: truth)
        var table = [[Double]](repeating: [Double](repeating: 0, count: EditLabel.actions.count), count: spans.count)
        target.withUnsafeBufferPointer { tb in
            for (a, out) in outputs.enumerated() {
                let action = EditLabel(rawValue: a)!
                out.withUnsafeBufferPointer { ob in
                    for (b, s) in spans.enumerated() {
                        table[b][a] = BeatReward.reconstruction(output: ob.baseAddress!, target: tb.baseAddress!, mels: m, span: s,
                                                                predicted: action, truth: truth[b], trueEditFrames: trueFrames)
                            + BeatReward.label(span: s, frames: frames, predicted: action, truth: truth[b])
                    }
                }
            }
        }
        perBeat = table
        self.spans = spans
        self.truth = truth
    }
}
