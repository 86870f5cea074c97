import Foundation

/// The editing styles synthetic pairs follow. Each decision depends on what can be heard in
/// the raw track, so a policy can learn it from the raw audio alone. The guide's style (`.guide`):
/// - cut the defects (count-in clicks, silent dropouts, noise bursts, the out-of-key bar,
///   dead air at the end);
/// - fade in the first bar of music and fade out the last one;
/// - crossfade (TRANSITION) on the last beat of every section that another section follows;
/// - low-pass sweep (EFFECT) on the breakdown, the section without drums;
/// - loop the loudest whole bar that is not already edited otherwise.
///
/// `.cleanup` is a careful engineer's clean-up of a raw recording, the style of the shipped
/// model (as `CleanupStyle` on real music): cut the defects and the dead air, fade in the first
/// `CleanupStyle.fadeBeats` beats of music and out the last ones, keep everything else.
public enum EditingStyle: String, CaseIterable, Sendable {
    case guide, cleanup

    public struct Decision: Sendable {
        public var labels: [EditLabel]
        /// Why each beat got its label (for the edit script).
        public var reasons: [String]
    }

    public func decide(plan: TrackPlan, raw: [Float]) -> Decision {
        let total = plan.beatCount
        var labels = [EditLabel](repeating: .keep, count: total)
        var reasons = [String](repeating: "keep", count: total)
        func set(_ range: Range<Int>, _ label: EditLabel, _ why: String) {
            for k in range where k < total { labels[k] = label; reasons[k] = why }
        }
        // Where each unit's beats are, and the music bars in order.
        var beat = 0
        var bars: [(section: Int, bar: Int, beats: Range<Int>)] = []
        for unit in plan.units {
            let range = beat..<(beat + unit.beats)
            switch unit {
            case .countIn: set(range, .cut, "count-in")
            case .dropout: set(range, .cut, "dropout")
            case .noiseBurst: set(range, .cut, "noise burst")
            case .wrongNoteBar: set(range, .cut, "wrong-note bar")
            case .deadAir: set(range, .cut, "dead air")
            case .bar(let s, let b): bars.append((s, b, range))
            }
            beat += unit.beats
        }
        guard let first = bars.first, let last = bars.last else { return Decision(labels: labels, reasons: reasons) }
        if self == .cleanup {
            CleanupStyle.fadeEnds(&labels, reasons: &reasons)
            return Decision(labels: labels, reasons: reasons)
        }
        for bar in bars where plan.sections[bar.section].role == .breakdown {
            set(bar.beats, .effect, "low-pass sweep on the breakdown")
        }
        for bar in bars where bar.bar == plan.sections[bar.section].bars - 1 && bar.section < plan.sections.count - 1 {
            set((bar.beats.upperBound - 1)..<bar.beats.upperBound, .transition, "crossfade at section change")
        }
        set(first.beats, .fadeIn, "fade in the opening")
        set(last.beats, .fadeOut, "fade out the ending")
        // The loop: the bar with the most energy among bars still all KEEP.
        var best: (energy: Double, beats: Range<Int>)? = nil
        for bar in bars where bar.beats.allSatisfy({ labels[$0] == .keep }) {
            let a = plan.beatSample(bar.beats.lowerBound), b = min(plan.beatSample(bar.beats.upperBound), raw.count)
            guard a < b else { continue }
            var e = 0.0
            for i in a..<b { e += Double(raw[i]) * Double(raw[i]) }
            e /= Double(b - a)
            if best == nil || e > best!.energy { best = (e, bar.beats) }
        }
        if let loop = best { set(loop.beats, .loop, "loop the strongest bar") }
        return Decision(labels: labels, reasons: reasons)
    }
}
