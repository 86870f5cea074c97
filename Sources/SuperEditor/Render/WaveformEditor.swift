import Foundation

/// Applies per-beat edit labels to raw samples and returns the edited samples.
///
/// Two stages, as DESIGN.md's "Executing an edit":
/// 1. **Sound**, on a signal as long as the input: FADE_IN and FADE_OUT runs get a gain ramp
///    (linear in dB between `fadeFloorDB` and 0 dB, so every beat of a fade is audibly
///    quieter), EFFECT runs get a low-pass sweep, and a TRANSITION beat crossfades (equal
///    power) from itself into the beat played after it.
/// 2. **Timeline** (`EditTimeline`): CUT beats are dropped and LOOP runs are played twice;
///    wherever the source jumps there is a short equal-power crossfade centred on the join,
///    so the output length is exactly the sum of the played beats.
public struct WaveformEditor: Sendable {
    public var sampleRate: Int
    /// Length of the crossfade at every join, in seconds.
    public var joinCrossfade: Double = 0.010
    /// Gain at the quiet end of a fade, in dB.
    public var fadeFloorDB: Float = -30
    public var effect = LowPassSweep()

    public init(sampleRate: Int) { self.sampleRate = sampleRate }

    /// Sample position of each beat (rounded, clamped to the signal).
    public func beatPositions(_ beatTimes: [Double], sampleCount: Int) -> [Int] {
        beatTimes.map { min(max(Int(($0 * Double(sampleRate)).rounded()), 0), sampleCount) }
    }

    /// The number of samples `apply` returns for these labels.
    public func outputLength(sampleCount: Int, beatTimes: [Double], labels: [EditLabel]) -> Int {
        let spans = EditTimeline.beatSpans(positions: beatPositions(beatTimes, sampleCount: sampleCount), total: sampleCount)
        return EditTimeline.outputLength(spans: spans, labels: labels)
    }

    /// The edited duration in seconds implied by the labels.
    public func outputDuration(sampleCount: Int, beatTimes: [Double], labels: [EditLabel]) -> Double {
        Double(outputLength(sampleCount: sampleCount, beatTimes: beatTimes, labels: labels)) / Double(sampleRate)
    }

    /// The edited signal. `labels` has one label per beat time; with no beats the input is
    /// returned unchanged.
    public func apply(_ samples: [Float], beatTimes: [Double], labels: [EditLabel]) -> [Float] {
        precondition(beatTimes.count == labels.count, "WaveformEditor: \(labels.count) labels for \(beatTimes.count) beats")
        guard !labels.isEmpty, !samples.isEmpty else { return samples }
        let spans = EditTimeline.beatSpans(positions: beatPositions(beatTimes, sampleCount: samples.count), total: samples.count)
        let shaped = sound(samples, spans: spans, labels: labels)
        return timeline(shaped, spans: spans, labels: labels)
    }

    /// Stage 1: the per-beat sound, same length as the input.
    public func sound(_ samples: [Float], spans: [Range<Int>], labels: [EditLabel]) -> [Float] {
        var shaped = samples
        let runs = Self.runs(labels)
        shaped.withUnsafeMutableBufferPointer { buf in
            for run in runs {
                let range = spans[run.beats.lowerBound].lowerBound..<spans[run.beats.upperBound - 1].upperBound
                guard range.count > 1 else { continue }
                switch run.label {
                case .fadeIn, .fadeOut:
                    let p = buf.baseAddress!
                    let len = Float(range.count - 1)
                    for k in 0..<range.count {
                        let x = Float(k) / len
                        let db = run.label == .fadeIn ? fadeFloorDB * (1 - x) : fadeFloorDB * x
                        p[range.lowerBound + k] *= powf(10, db / 20)
                    }
                case .effect:
                    effect.apply(buf, range: range, sampleRate: sampleRate)
                default:
                    break
                }
            }
        }
        // Transitions read the already shaped neighbours, so write them into a copy.
        var out = shaped
        for (i, label) in labels.enumerated() where label == .transition {
            let span = spans[i]
            guard !span.isEmpty else { continue }
            let next = (i + 1..<labels.count).first { labels[$0] != .cut && labels[$0] != .pad }
            let source = next.map { spans[$0].lowerBound }
            let len = span.count
            for k in 0..<len {
                let theta = Float.pi / 2 * Float(k) / Float(len)
                var incoming: Float = 0
                if let q = source, q + k < shaped.count { incoming = shaped[q + k] }
                out[span.lowerBound + k] = cosf(theta) * shaped[span.lowerBound + k] + sinf(theta) * incoming
            }
        }
        return out
    }

    /// Stage 2: cuts and loops with equal-power crossfades at the joins.
    public func timeline(_ shaped: [Float], spans: [Range<Int>], labels: [EditLabel]) -> [Float] {
        let segments = EditTimeline.segments(spans: spans, labels: labels)
        let total = segments.reduce(0) { $0 + $1.count }
        var out = [Float](repeating: 0, count: total)
        let n = shaped.count
        let half = max(1, Int(joinCrossfade * Double(sampleRate) / 2))
        shaped.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                @inline(__always) func at(_ i: Int) -> Float { i >= 0 && i < n ? s[i] : 0 }
                var o = 0
                var previousEnd: Int? = nil
                for seg in segments {
                    (d + o).update(from: s + seg.lowerBound, count: seg.count)
                    // A join where the source jumps: blend the old continuation out and the
                    // new segment's run-up in, around the output position o.
                    let jumped = previousEnd.map { $0 != seg.lowerBound } ?? (seg.lowerBound > 0)
                    if jumped {
                        let p = previousEnd ?? seg.lowerBound // at the very start, fade in from silence
                        let h = min(half, seg.count, o > 0 ? o : half)
                        for k in -h..<h {
                            let t = Float(k + h) / Float(2 * h)
                            let fadeIn = sinf(Float.pi / 2 * t), fadeOut = cosf(Float.pi / 2 * t)
                            let old = previousEnd == nil ? 0 : at(p + k)
                            let oi = o + k
                            if oi >= 0 && oi < total { d[oi] = fadeOut * old + fadeIn * at(seg.lowerBound + k) }
                        }
                    }
                    o += seg.count
                    previousEnd = seg.upperBound
                }
                // Ending before the end of the source: fade the last few samples out.
                if let end = previousEnd, end < n {
                    let h = min(half, total)
                    for k in 0..<h { d[total - h + k] *= cosf(Float.pi / 2 * Float(k + 1) / Float(h)) }
                }
            }
        }
        return out
    }

    /// Maximal runs of one label.
    static func runs(_ labels: [EditLabel]) -> [(label: EditLabel, beats: Range<Int>)] {
        var out: [(EditLabel, Range<Int>)] = []
        var i = 0
        while i < labels.count {
            var j = i + 1
            while j < labels.count && labels[j] == labels[i] { j += 1 }
            out.append((labels[i], i..<j))
            i = j
        }
        return out
    }
}
