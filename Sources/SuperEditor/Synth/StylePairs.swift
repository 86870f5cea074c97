import AudioDSP
import Foundation
import Tensor

/// (raw, edited) pairs made from real recordings in one consistent editing style, for
/// training and judging the policy on real music:
/// - the raw is an excerpt of the recording with defects put on some of its beats: silent
///   dropouts and noise bursts;
/// - the edit cuts each dropout, loops the beat before it, low-passes each noise burst
///   (EFFECT), fades in the first two beats and out the last two, and keeps the rest;
/// - labels are given per beat of the grid `prepare` labels on (of the raw with its defects),
///   and the edited audio is those labels applied by `WaveformEditor`.
/// Written in the `synth` layout (raw/, edited/, truth/{id}.json) so that `prepare`,
/// `evaluate labels` and `evaluate policy` take it as they take synthetic data.
///
/// The other styles (`EditScriptStyle`) leave the recording as it is and edit it by a script
/// whose ranges fall anywhere, not on beats: fades of several shapes and lengths, cuts,
/// loops and low-pass filters; their labels are the step covering most of each beat.
public struct StylePairs {
    public enum Style: Sendable, Equatable {
        /// The consistent style above (defects put in, then edited away).
        case dropouts
        /// The careful engineer's clean-up of a raw take (`CleanupStyle`).
        case cleanup
        case script(EditScriptStyle)

        public init?(name: String) {
            switch name {
            case "dropouts": self = .dropouts
            case "cleanup": self = .cleanup
            default:
                guard let s = EditScriptStyle(rawValue: name) else { return nil }
                self = .script(s)
            }
        }

        public static let names = ["dropouts", "cleanup"] + EditScriptStyle.allCases.map(\.rawValue)
    }

    public var seconds: ClosedRange<Double> = 20...30
    public var dropouts = 2
    public var bursts = 2
    public var style = Style.dropouts

    public init() {}

    /// One pair from `samples` (mono, `sampleRate`), with its excerpt and defects drawn from
    /// `seed`; nil when the excerpt has too few beats for the style (under 12).
    public func make(samples: [Float], sampleRate: Int, seed: UInt64, id: String) -> SynthPair? {
        var rng = RandomGenerator(seed: seed)
        let length = Int(Double(sampleRate) * (seconds.lowerBound + Double(rng.nextFloat()) * (seconds.upperBound - seconds.lowerBound)))
        guard samples.count > length else { return nil }
        let offset = Int(rng.next() % UInt64(samples.count - length))
        var raw = Array(samples[offset..<(offset + length)])
        let peak = raw.reduce(Float(0)) { max($0, abs($1)) }
        guard peak > 0 else { return nil }
        for i in raw.indices { raw[i] *= 0.7 / peak }
        if case .script(let scriptStyle) = style {
            return scripted(raw, scriptStyle, sampleRate: sampleRate, seed: seed, id: id)
        }
        if style == .cleanup { return CleanupStyle().make(excerpt: raw, sampleRate: sampleRate, seed: seed, id: id) }

        // Defects on beats of the clean excerpt's grid, away from the ends and each other.
        let clean = Self.beatStarts(raw, sampleRate: sampleRate)
        guard clean.count >= 12 else { return nil }
        var free = Array(4..<(clean.count - 4))
        func take() -> Int? {
            guard !free.isEmpty else { return nil }
            let b = free.remove(at: Int(rng.next() % UInt64(free.count)))
            free.removeAll { abs($0 - b) <= 2 }
            return b
        }
        let drops = (0..<dropouts).compactMap { _ in take() }, noise = (0..<bursts).compactMap { _ in take() }
        func span(_ b: Int) -> Range<Int> { clean[b]..<(b + 1 < clean.count ? clean[b + 1] : raw.count) }
        var defects: [(Range<Int>, EditLabel)] = []
        for b in drops { for i in span(b) { raw[i] = 0 }; defects.append((span(b), .cut)) }
        for b in noise {
            for i in span(b) { raw[i] = 0.3 * raw[i] + 0.5 * (rng.nextFloat() * 2 - 1) }
            defects.append((span(b), .effect))
        }

        // Labels on the raw's own grid: each beat takes the defect covering most of it.
        let starts = Self.beatStarts(raw, sampleRate: sampleRate)
        guard starts.count >= 12 else { return nil }
        let spans = EditTimeline.beatSpans(positions: starts, total: raw.count)
        var labels = [EditLabel](repeating: .keep, count: spans.count)
        for (k, s) in spans.enumerated() {
            for (d, l) in defects where d.clamped(to: s).count * 2 > s.count { labels[k] = l }
        }
        for k in spans.indices where labels[k] == .cut && k > 0 && labels[k - 1] == .keep { labels[k - 1] = .loop }
        for k in [0, 1] where labels[k] == .keep { labels[k] = .fadeIn }
        for k in [spans.count - 2, spans.count - 1] where labels[k] == .keep { labels[k] = .fadeOut }

        let times = starts.map { Double($0) / Double(sampleRate) }
        let edited = WaveformEditor(sampleRate: sampleRate).apply(raw, beatTimes: times, labels: labels)
        let script = spans.indices.map { k in
            SynthTruth.Step(label: labels[k].name, reason: "style", firstBeat: k, lastBeat: k,
                            start: Double(spans[k].lowerBound) / Double(sampleRate), end: Double(spans[k].upperBound) / Double(sampleRate))
        }
        return Self.pair(id: id, seed: seed, raw: raw, edited: edited, starts: starts, labels: labels, script: script, sampleRate: sampleRate)
    }

    /// A pair edited by a script of `scriptStyle` (seeded from `seed`), labelled on the raw's grid.
    func scripted(_ raw: [Float], _ scriptStyle: EditScriptStyle, sampleRate: Int, seed: UInt64, id: String) -> SynthPair? {
        let starts = Self.beatStarts(raw, sampleRate: sampleRate)
        guard starts.count >= 12 else { return nil }
        let interval = LabelInference.medianInterval(starts)!
        var rng = SeededRandom(seed: seed, index: 1)
        let edit = scriptStyle.script(count: raw.count, sampleRate: sampleRate, firstBeat: starts[0], beatInterval: interval, random: &rng)
        let spans = EditTimeline.beatSpans(positions: starts, total: raw.count)
        let labels = edit.labels(for: spans)
        let edited = edit.apply(raw)
        let script = edit.steps.map { step in
            let beats = spans.indices.filter { spans[$0].overlaps(step.range) }
            return SynthTruth.Step(label: step.operation.label.name, reason: step.operation.name,
                                   firstBeat: beats.first ?? 0, lastBeat: beats.last ?? 0,
                                   start: Double(step.range.lowerBound) / Double(sampleRate),
                                   end: Double(step.range.upperBound) / Double(sampleRate))
        }
        return Self.pair(id: id, seed: seed, raw: raw, edited: edited, starts: starts, labels: labels, script: script, sampleRate: sampleRate)
    }

    static func pair(id: String, seed: UInt64, raw: [Float], edited: [Float], starts: [Int], labels: [EditLabel],
                     script: [SynthTruth.Step], sampleRate: Int) -> SynthPair {
        let times = starts.map { Double($0) / Double(sampleRate) }
        let bpm = times.count > 1 ? 60 / ((times.last! - times.first!) / Double(times.count - 1)) : 0
        let truth = SynthTruth(id: id, seed: seed, index: 0, sampleRate: sampleRate, bpm: bpm,
                               rawDuration: Double(raw.count) / Double(sampleRate),
                               editedDuration: Double(edited.count) / Double(sampleRate), beatTimes: times,
                               labels: labels.map(\.rawValue), labelNames: labels.map(\.name), editScript: script)
        return SynthPair(id: id, raw: raw, edited: edited, truth: truth)
    }

    /// Sample positions of the beats `prepare` labels on (`LabelInference.beatGrid`).
    static func beatStarts(_ y: [Float], sampleRate: Int) -> [Int] {
        guard let features = try? FeatureExtractor().extract(y) else { return [] }
        guard !features.beatFrames.isEmpty else { return [] }
        return LabelInference().beatGrid(features).map { $0 * features.hopLength }
    }

    /// `perRecording` pairs from every recording in `inputs`, named `{file stem}_{k}`, into
    /// `out`. Returns the ids written.
    public func write(recordings inputs: [URL], perRecording: Int, seed: UInt64, to out: URL) throws -> [String] {
        var ids: [String] = []
        for (r, url) in inputs.enumerated() {
            let audio = try AudioFile.load(url)
            let stem = url.deletingPathExtension().lastPathComponent.replacingOccurrences(of: " ", with: "_")
            var made = 0, attempt = 0
            while made < perRecording && attempt < perRecording * 4 {
                let id = "\(stem)_\(made)"
                let s = seed &+ UInt64(r) &* 1_000_003 &+ UInt64(attempt)
                attempt += 1
                guard let pair = make(samples: audio.samples, sampleRate: audio.sampleRate, seed: s, id: id) else { continue }
                try pair.write(to: out)
                ids.append(id)
                made += 1
            }
        }
        return ids
    }
}
