/// The deterministic part of an edit (DESIGN.md, "Executing an edit"): which stretches of the
/// raw signal are played, in which order.
///
/// - A beat covers its beat position up to the next beat; the first beat also covers the
///   start of the signal and the last one runs to its end.
/// - CUT beats are dropped.
/// - A run of consecutive LOOP beats is played twice in a row (a looped bar plays
///   A B C D A B C D), so every LOOP beat is played exactly twice.
/// - Every other label plays its beat once, in place.
public enum EditTimeline {
    /// The span of every beat, in whatever unit `positions` and `total` use (samples or
    /// frames). `positions` must be non-decreasing; they are clamped to 0...total.
    public static func beatSpans(positions: [Int], total: Int) -> [Range<Int>] {
        let n = positions.count
        guard n > 0 else { return [] }
        var spans: [Range<Int>] = []
        spans.reserveCapacity(n)
        for i in 0..<n {
            let start = i == 0 ? 0 : min(max(positions[i], 0), total)
            let end = i == n - 1 ? total : min(max(positions[i + 1], start), total)
            spans.append(start..<max(start, end))
        }
        return spans
    }

    /// Beat indices in the order they are played.
    public static func playOrder(_ labels: [EditLabel]) -> [Int] {
        var order: [Int] = []
        order.reserveCapacity(labels.count + 8)
        var i = 0
        while i < labels.count {
            switch labels[i] {
            case .cut, .pad:
                i += 1
            case .loop:
                var end = i
                while end < labels.count && labels[end] == .loop { end += 1 }
                order.append(contentsOf: i..<end)
                order.append(contentsOf: i..<end)
                i = end
            default:
                order.append(i)
                i += 1
            }
        }
        return order
    }

    /// The played stretches of the source, with beats that follow each other in the source
    /// merged into one contiguous segment. Joins between segments are where the source jumps.
    public static func segments(spans: [Range<Int>], labels: [EditLabel]) -> [Range<Int>] {
        segmentsWithBeats(spans: spans, labels: labels).map(\.range)
    }

    /// `segments`, each with the beats it plays (in play order; empty beats are left out).
    public static func segmentsWithBeats(spans: [Range<Int>], labels: [EditLabel]) -> [(range: Range<Int>, beats: [Int])] {
        precondition(spans.count == labels.count, "one label per beat")
        var out: [(range: Range<Int>, beats: [Int])] = []
        var previous = -2
        for b in playOrder(labels) {
            let s = spans[b]
            if s.isEmpty { previous = b; continue }
            if b == previous + 1, let last = out.last, last.range.upperBound == s.lowerBound {
                out[out.count - 1].range = last.range.lowerBound..<s.upperBound
                out[out.count - 1].beats.append(b)
            } else {
                out.append((s, [b]))
            }
            previous = b
        }
        return out
    }

    /// The length of the edited signal: every kept beat once, every LOOP beat twice.
    public static func outputLength(spans: [Range<Int>], labels: [EditLabel]) -> Int {
        playOrder(labels).reduce(0) { $0 + spans[$1].count }
    }
}
