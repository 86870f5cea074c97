import Foundation

/// A careful engineer's clean-up of a raw recording, on real music: the defects a raw take
/// has are put into a clean excerpt, and the edit removes every one of them (CUT), trims the
/// dead air and fades the ends. This is the style of the shipped model (MODEL_CARD.md);
/// `EditingStyle.cleanup` is the same style on synthetic tracks.
///
/// The defects, each placed on beats of the excerpt's grid away from each other and the ends:
/// - dropouts: one or two beats of digital silence;
/// - noise bursts: a beat of loud broadband noise over the music;
/// - clicks: one or two beats, each with one to three sharp 1.5 ms spikes;
/// - wrong level: one or two sections of two to four beats 14 dB too quiet or 6 dB too loud;
/// - a count-in: two to four stick clicks at the music's tempo before it starts;
/// - dead air: one to three seconds of room tone (-66 dB) before, and 1.5–4 s after.
/// Labels are given per beat of the raw's own grid: a beat is cut when a defect covers most
/// of it (any click in it counts); the first and last `fadeBeats` beats of music fade.
public struct CleanupStyle: Sendable {
    public enum Defect: String, CaseIterable, Sendable {
        case deadAir = "dead air", countIn = "count-in", dropout, noiseBurst = "noise burst", click, wrongLevel = "wrong level"
    }

    /// Reasons the truth gives beats that carry no defect.
    public static let cleanReasons = ["keep", "fade in", "fade out"]
    public static let fadeBeats = 2

    public init() {}

    /// FADE_IN on the first `fadeBeats` beats of music (from the first beat not cut) and
    /// FADE_OUT on the last ones, where those beats are KEEP.
    static func fadeEnds(_ labels: inout [EditLabel], reasons: inout [String]) {
        guard let first = labels.firstIndex(where: { $0 != .cut }), let last = labels.lastIndex(where: { $0 != .cut }) else { return }
        for k in first..<min(first + fadeBeats, last + 1) where labels[k] == .keep { labels[k] = .fadeIn; reasons[k] = "fade in" }
        for k in max(last - fadeBeats + 1, first)...last where labels[k] == .keep { labels[k] = .fadeOut; reasons[k] = "fade out" }
    }

    /// One pair from a clean excerpt (mono, `sampleRate`); nil when it has too few beats (16).
    public func make(excerpt: [Float], sampleRate sr: Int, seed: UInt64, id: String) -> SynthPair? {
        var rng = SeededRandom(seed: seed, index: 2)
        let grid = StylePairs.beatStarts(excerpt, sampleRate: sr)
        guard grid.count >= 16, let interval = LabelInference.medianInterval(grid) else { return nil }
        let peak = excerpt.reduce(Float(0)) { max($0, abs($1)) }
        guard peak > 0 else { return nil }
        var music = excerpt.map { $0 * 0.5 / peak }
        var defects: [(range: Range<Int>, defect: Defect)] = []

        var free = Array(3..<(grid.count - 3))
        let samples = music.count
        func take(_ beats: Int) -> Range<Int>? {
            let starts = free.filter { b in (0..<beats).allSatisfy { free.contains(b + $0) } }
            guard let b = starts.isEmpty ? nil : starts[rng.int(0, starts.count - 1)] else { return nil }
            free.removeAll { $0 >= b - 2 && $0 <= b + beats + 1 }
            return grid[b]..<(b + beats < grid.count ? grid[b + beats] : samples)
        }
        music.withUnsafeMutableBufferPointer { m in
            let out = m.baseAddress!
            for _ in 0..<rng.int(1, 2) {
                guard let r = take(rng.int(1, 2)) else { break }
                for i in r { out[i] = 0 }
                defects.append((r, .dropout))
            }
            for _ in 0..<rng.int(0, 2) {
                guard let r = take(1) else { break }
                for i in r { out[i] *= 0.3 }
                Defects.addNoise(into: out, range: r, level: 0.5, sampleRate: sr, rng: &rng)
                defects.append((r, .noiseBurst))
            }
            for _ in 0..<rng.int(1, 2) {
                guard let r = take(1) else { break }
                let width = Int(0.0015 * Double(sr))
                for _ in 0..<rng.int(1, 3) {
                    let at = rng.int(r.lowerBound, max(r.lowerBound, r.upperBound - width - 1))
                    let sign: Float = rng.chance(0.5) ? 1 : -1
                    for i in at..<min(at + width, m.count) { out[i] = sign * 0.95 * Float(exp(-Double(i - at) / (0.3 * Double(width)))) }
                    defects.append((at..<min(at + width, m.count), .click))
                }
            }
            for _ in 0..<rng.int(1, 2) {
                guard let r = take(rng.int(2, 4)) else { break }
                let gain: Float = rng.chance(0.5) ? 0.2 : 2.0, ramp = Int(0.01 * Double(sr))
                for i in r { out[i] *= 1 + (gain - 1) * Defects.rampEdge(i, in: r, ramp: ramp) }
                defects.append((r, .wrongLevel))
            }
        }

        // The ends: dead air, then a count-in, before the music; dead air after it.
        var lead: [Float] = []
        if rng.chance(0.5) {
            lead = roomTone(Int(rng.uniform(1, 3) * Double(sr)), rng: &rng)
            defects.append((0..<lead.count, .deadAir))
        }
        if rng.chance(0.5) {
            let beats = rng.int(2, 4), start = lead.count
            var clicks = roomTone(beats * interval, rng: &rng)
            clicks.withUnsafeMutableBufferPointer { c in
                for b in 0..<beats { Defects.stickClick(into: c.baseAddress!, count: c.count, at: b * interval, sampleRate: sr, rng: &rng) }
            }
            lead += clicks
            defects.append((start..<lead.count, .countIn))
        }
        let shift = lead.count
        defects = defects.map { d in d.defect == .deadAir || d.defect == .countIn ? d : ((d.range.lowerBound + shift)..<(d.range.upperBound + shift), d.defect) }
        var raw = lead + music
        if rng.chance(0.7) {
            let tail = roomTone(Int(rng.uniform(1.5, 4) * Double(sr)), rng: &rng)
            defects.append((raw.count..<(raw.count + tail.count), .deadAir))
            raw += tail
        }

        let starts = StylePairs.beatStarts(raw, sampleRate: sr)
        guard starts.count >= 12 else { return nil }
        let spans = EditTimeline.beatSpans(positions: starts, total: raw.count)
        var labels = [EditLabel](repeating: .keep, count: spans.count), reasons = [String](repeating: "keep", count: spans.count)
        for (k, s) in spans.enumerated() {
            for d in defects where d.defect == .click ? d.range.overlaps(s) : d.range.clamped(to: s).count * 2 > s.count {
                labels[k] = .cut
                reasons[k] = d.defect.rawValue
            }
        }
        Self.fadeEnds(&labels, reasons: &reasons)
        let times = starts.map { Double($0) / Double(sr) }
        let edited = WaveformEditor(sampleRate: sr).apply(raw, beatTimes: times, labels: labels)
        let script = spans.indices.map { k in
            SynthTruth.Step(label: labels[k].name, reason: reasons[k], firstBeat: k, lastBeat: k,
                            start: Double(spans[k].lowerBound) / Double(sr), end: Double(spans[k].upperBound) / Double(sr))
        }
        return StylePairs.pair(id: id, seed: seed, raw: raw, edited: edited, starts: starts, labels: labels, script: script, sampleRate: sr)
    }

    /// Faint room tone: white noise about 66 dB below full scale.
    func roomTone(_ count: Int, rng: inout SeededRandom) -> [Float] {
        (0..<count).map { _ in 0.0005 * rng.noise() }
    }
}
