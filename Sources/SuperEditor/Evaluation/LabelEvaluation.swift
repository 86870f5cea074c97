import Foundation

/// Inferred labels against true ones. Beats are matched one to one when a detected beat
/// lies within `tolerance` seconds of a true beat (nearest first); per-beat accuracy,
/// recall, precision and the confusion matrix are over matched beats. Per-frame accuracy
/// compares the per-frame labels with the true per-beat labels expanded to frames.
public struct LabelEvaluation: Sendable {
    public static let classes = EditLabel.actions
    public var tolerance: Double
    /// confusion[truth][predicted] over CUT…TRANSITION.
    public var confusion: [[Int]]
    public var trueBeats = 0
    public var detectedBeats = 0
    public var matchedBeats = 0
    public var framesCorrect = 0
    public var frames = 0
    public var pairs = 0

    public init(tolerance: Double = 0.07) {
        self.tolerance = tolerance
        confusion = Array(repeating: Array(repeating: 0, count: Self.classes.count), count: Self.classes.count)
    }

    /// Matched (truth index, detected index) pairs: every true beat takes its nearest
    /// detected beat within the tolerance, unless a nearer true beat already took it.
    public static func match(truth: [Double], detected: [Double], tolerance: Double) -> [(Int, Int)] {
        var candidates: [(distance: Double, t: Int, d: Int)] = []
        var lo = 0
        for (t, time) in truth.enumerated() {
            while lo < detected.count && detected[lo] < time - tolerance { lo += 1 }
            var d = lo
            while d < detected.count && detected[d] <= time + tolerance {
                candidates.append((abs(detected[d] - time), t, d))
                d += 1
            }
        }
        candidates.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.t < $1.t }
        var usedT = Set<Int>(), usedD = Set<Int>()
        var out: [(Int, Int)] = []
        for c in candidates where !usedT.contains(c.t) && !usedD.contains(c.d) {
            usedT.insert(c.t); usedD.insert(c.d)
            out.append((c.t, c.d))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Adds one pair. Per-frame labels are compared over `predictedFrames.count` frames.
    public mutating func add(truthTimes: [Double], truthLabels: [EditLabel], detectedTimes: [Double],
                             detectedLabels: [EditLabel], predictedFrames: [EditLabel], sampleRate: Int, hop: Int) {
        pairs += 1
        trueBeats += truthTimes.count
        detectedBeats += detectedTimes.count
        for (t, d) in Self.match(truth: truthTimes, detected: detectedTimes, tolerance: tolerance) {
            guard let ti = Self.classes.firstIndex(of: truthLabels[t]),
                  let di = Self.classes.firstIndex(of: detectedLabels[d]) else { continue }
            confusion[ti][di] += 1
            matchedBeats += 1
        }
        let truthFrameBeats = truthTimes.map { FrameLabels.frame(of: $0, sampleRate: sampleRate, hop: hop) }
        let truthFrames = FrameLabels.expand(beatLabels: truthLabels, beatFrames: truthFrameBeats, frames: predictedFrames.count)
        for (a, b) in zip(truthFrames, predictedFrames) where a != .pad { frames += 1; if a == b { framesCorrect += 1 } }
    }

    public var beatAccuracy: Double {
        let correct = Self.classes.indices.reduce(0) { $0 + confusion[$1][$1] }
        return matchedBeats > 0 ? Double(correct) / Double(matchedBeats) : 0
    }

    public var frameAccuracy: Double { frames > 0 ? Double(framesCorrect) / Double(frames) : 0 }

    /// Recall of each class (nil when the class never occurs in the truth).
    public var recall: [EditLabel: Double] {
        var out: [EditLabel: Double] = [:]
        for (i, c) in Self.classes.enumerated() {
            let total = confusion[i].reduce(0, +)
            if total > 0 { out[c] = Double(confusion[i][i]) / Double(total) }
        }
        return out
    }

    /// Precision of each class (nil when the class is never predicted).
    public var precision: [EditLabel: Double] {
        var out: [EditLabel: Double] = [:]
        for (i, c) in Self.classes.enumerated() {
            let total = Self.classes.indices.reduce(0) { $0 + confusion[$1][i] }
            if total > 0 { out[c] = Double(confusion[i][i]) / Double(total) }
        }
        return out
    }

    /// The JSON report: beat_accuracy, frame_accuracy, recall, precision, confusion (rows:
    /// truth, columns: inferred, in label order CUT…TRANSITION), and the beat counts.
    public func jsonObject() -> [String: Any] {
        func named(_ d: [EditLabel: Double]) -> [String: Any] {
            var o: [String: Any] = [:]
            for c in Self.classes { o[c.name] = d[c].map { $0 as Any } ?? NSNull() }
            return o
        }
        return [
            "beat_accuracy": beatAccuracy, "frame_accuracy": frameAccuracy,
            "recall": named(recall), "precision": named(precision), "confusion": confusion,
            "labels": Self.classes.map(\.name), "pairs": pairs, "true_beats": trueBeats,
            "detected_beats": detectedBeats, "matched_beats": matchedBeats,
        ]
    }

    /// A plain-text table.
    public func table() -> String {
        var s = String(format: "pairs %d, true beats %d, detected %d, matched within %.0f ms %d\n",
                       pairs, trueBeats, detectedBeats, tolerance * 1000, matchedBeats)
        s += String(format: "per-beat accuracy %.2f%%, per-frame accuracy %.2f%%\n\n", beatAccuracy * 100, frameAccuracy * 100)
        s += "class        recall  precision  support\n"
        let r = recall, p = precision
        for (i, c) in Self.classes.enumerated() {
            let support = confusion[i].reduce(0, +)
            let rs = r[c].map { String(format: "%6.2f%%", $0 * 100) } ?? "     -"
            let ps = p[c].map { String(format: "%8.2f%%", $0 * 100) } ?? "       -"
            s += c.name.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + rs + "  " + ps + String(format: "  %7d\n", support)
        }
        s += "\nconfusion (rows: truth, columns: inferred)\n"
        s += "           " + Self.classes.map { String($0.name.prefix(6)).padding(toLength: 7, withPad: " ", startingAt: 0) }.joined() + "\n"
        for (i, c) in Self.classes.enumerated() {
            s += c.name.padding(toLength: 11, withPad: " ", startingAt: 0)
            s += confusion[i].map { String(format: "%-7d", $0) }.joined() + "\n"
        }
        return s
    }
}
