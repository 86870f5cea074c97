import Foundation

/// An edit written as a script of operations on sample ranges of a raw recording, the way an
/// engineer edits in a DAW: the ranges fall wherever the script says, not on beats.
///
/// Rendering is the two stages of `WaveformEditor`: the sound (fades of several shapes,
/// low-pass filters) on a signal as long as the raw, then the timeline (cuts and loops, with
/// the same short equal-power crossfade at every join).
public struct ScriptedEdit: Sendable, Equatable {
    /// How a fade's gain moves from silence to full level (x from 0 to 1).
    public enum FadeShape: String, Sendable, CaseIterable, Codable {
        /// Gain proportional to time.
        case linear
        /// A quarter sine (sox's `q`): quick at first, gentle at the end.
        case quarterSine
        /// A half cosine (sox's `h`): an S-curve.
        case halfSine
        /// Linear in dB from `floorDB` (sox's `l`): audibly even, quiet for longest.
        case logarithmic
        /// Gain proportional to time squared: stays quiet, rises late.
        case exponential

        /// Gain at position x in [0, 1] of a fade-in.
        public func gain(_ x: Double, floorDB: Double) -> Double {
            let x = min(max(x, 0), 1)
            switch self {
            case .linear: return x
            case .quarterSine: return sin(Double.pi / 2 * x)
            case .halfSine: return (1 - cos(Double.pi * x)) / 2
            case .logarithmic: return x == 0 ? 0 : pow(10, floorDB * (1 - x) / 20)
            case .exponential: return x * x
            }
        }
    }

    public enum Operation: Sendable, Equatable {
        case fadeIn(FadeShape)
        case fadeOut(FadeShape)
        /// A low-pass filter, `poles` of 2, 4 or 6 (12, 24 or 36 dB per octave).
        case lowPass(cutoff: Double, poles: Int)
        case cut
        /// Played twice in a row.
        case loop

        /// The label the edit gives the raw beats it covers.
        public var label: EditLabel {
            switch self {
            case .fadeIn: return .fadeIn
            case .fadeOut: return .fadeOut
            case .lowPass: return .effect
            case .cut: return .cut
            case .loop: return .loop
            }
        }

        public var name: String {
            switch self {
            case .fadeIn(let s): return "fade-in \(s.rawValue)"
            case .fadeOut(let s): return "fade-out \(s.rawValue)"
            case .lowPass(let c, let p): return String(format: "low-pass %.0f Hz %d-pole", c, p)
            case .cut: return "cut"
            case .loop: return "loop"
            }
        }
    }

    public struct Step: Sendable, Equatable {
        public var range: Range<Int>
        public var operation: Operation
        public init(_ range: Range<Int>, _ operation: Operation) {
            self.range = range
            self.operation = operation
        }
    }

    /// Non-overlapping steps (any order).
    public var steps: [Step]
    public var sampleRate: Int
    /// Gain at the start of a logarithmic fade-in (and end of a fade-out).
    public var fadeFloorDB = -40.0
    /// Ramp into and out of a filtered range, in seconds (no click where the filter starts).
    public var filterRamp = 0.010

    public init(steps: [Step], sampleRate: Int) {
        self.steps = steps.sorted { $0.range.lowerBound < $1.range.lowerBound }
        self.sampleRate = sampleRate
    }

    /// The edited signal.
    public func apply(_ raw: [Float]) -> [Float] {
        var shaped = raw
        shaped.withUnsafeMutableBufferPointer { buf in
            for step in steps {
                let r = step.range.clamped(to: 0..<buf.count)
                guard r.count > 1 else { continue }
                switch step.operation {
                case .fadeIn(let shape): fade(buf, r, shape: shape, rising: true)
                case .fadeOut(let shape): fade(buf, r, shape: shape, rising: false)
                case .lowPass(let cutoff, let poles): lowPass(buf, r, cutoff: cutoff, poles: poles)
                case .cut, .loop: break
                }
            }
        }
        let (spans, labels) = timelineSpans(count: raw.count)
        return WaveformEditor(sampleRate: sampleRate).timeline(shaped, spans: spans, labels: labels)
    }

    /// The raw cut at every step boundary, each piece labelled CUT, LOOP or KEEP: what
    /// `WaveformEditor.timeline` plays.
    func timelineSpans(count: Int) -> ([Range<Int>], [EditLabel]) {
        var spans: [Range<Int>] = [], labels: [EditLabel] = []
        var at = 0
        for step in steps {
            let r = step.range.clamped(to: 0..<count)
            guard !r.isEmpty else { continue }
            if r.lowerBound > at { spans.append(at..<r.lowerBound); labels.append(.keep) }
            let timeline: EditLabel = step.operation == .cut ? .cut : (step.operation == .loop ? .loop : .keep)
            spans.append(r)
            labels.append(timeline)
            at = r.upperBound
        }
        if at < count { spans.append(at..<count); labels.append(.keep) }
        return (spans, labels)
    }

    func fade(_ buf: UnsafeMutableBufferPointer<Float>, _ r: Range<Int>, shape: FadeShape, rising: Bool) {
        let p = buf.baseAddress!, len = Double(r.count - 1)
        for k in 0..<r.count {
            let x = Double(k) / len
            p[r.lowerBound + k] *= Float(shape.gain(rising ? x : 1 - x, floorDB: fadeFloorDB))
        }
    }

    /// Cascaded RBJ low-pass biquads (Q 0.707) over the range, with a short linear ramp
    /// between the dry and the filtered signal at both ends; the filter runs in from a
    /// little before the range so that it has settled where it takes over.
    func lowPass(_ buf: UnsafeMutableBufferPointer<Float>, _ r: Range<Int>, cutoff: Double, poles: Int) {
        let w = 2 * Double.pi * min(cutoff, 0.45 * Double(sampleRate)) / Double(sampleRate)
        let alpha = sin(w) / (2 * 0.7071), cw = cos(w), a0 = 1 + alpha
        let b1 = (1 - cw) / a0, b0 = b1 / 2, b2 = b0, a1 = -2 * cw / a0, a2 = (1 - alpha) / a0
        let stages = max(1, poles / 2)
        let runIn = min(r.lowerBound, sampleRate / 10)
        let start = r.lowerBound - runIn
        let ramp = max(1, Int(filterRamp * Double(sampleRate)))
        var state = [Double](repeating: 0, count: stages * 4) // x1, x2, y1, y2 per stage
        let p = buf.baseAddress!
        for i in start..<r.upperBound {
            var v = Double(p[i])
            for s in 0..<stages {
                let y = b0 * v + b1 * state[4 * s] + b2 * state[4 * s + 1] - a1 * state[4 * s + 2] - a2 * state[4 * s + 3]
                state[4 * s + 1] = state[4 * s]; state[4 * s] = v
                state[4 * s + 3] = state[4 * s + 2]; state[4 * s + 2] = y
                v = y
            }
            guard i >= r.lowerBound else { continue }
            let fromStart = i - r.lowerBound, toEnd = r.upperBound - 1 - i
            let wet = Float(min(1, Double(min(fromStart, toEnd)) / Double(ramp)))
            p[i] = wet * Float(v) + (1 - wet) * p[i]
        }
    }

    /// The true label of every beat span: the label of the step that covers more than half
    /// of it, otherwise KEEP. A fade counts only where it is audible: where its gain is more
    /// than `audibleFadeDB` below full level (a sine or S-curve fade spends its last stretch
    /// within a fraction of a dB of it, which no listener hears as a fade).
    public func labels(for spans: [Range<Int>]) -> [EditLabel] {
        let ranges = steps.map(audibleRange)
        return spans.map { span in
            steps.indices.first { ranges[$0].clamped(to: span).count * 2 > span.count }.map { steps[$0].operation.label } ?? .keep
        }
    }

    /// Level change below which a fade is audible, in dB (about one just-noticeable difference).
    public var audibleFadeDB = -1.0

    /// The part of a step that changes the sound audibly (the whole step but for fades).
    public func audibleRange(_ step: Step) -> Range<Int> {
        let r = step.range
        let shape: FadeShape, rising: Bool
        switch step.operation {
        case .fadeIn(let s): shape = s; rising = true
        case .fadeOut(let s): shape = s; rising = false
        default: return r
        }
        let threshold = pow(10, audibleFadeDB / 20), len = Double(max(1, r.count - 1))
        // The gain rises monotonically over a fade-in (falls over a fade-out): find where
        // it crosses the threshold.
        var audible = r.count
        for k in 0..<r.count where shape.gain(Double(k) / len, floorDB: fadeFloorDB) >= threshold { audible = k; break }
        return rising ? r.lowerBound..<(r.lowerBound + audible) : (r.upperBound - audible)..<r.upperBound
    }
}
