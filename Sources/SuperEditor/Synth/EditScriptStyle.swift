import Foundation

/// Editing styles that write a `ScriptedEdit` for a recording: where its fades, cuts, loops
/// and filters go, how long they are and what shape they have, drawn from a seed. Each
/// style edits the way a different engineer would; testing inference on a style it was not
/// tuned on is the point of having several.
public enum EditScriptStyle: String, Sendable, CaseIterable, Codable {
    /// Medium fades of any shape, one or two cuts anywhere, a loop of one to four beats
    /// starting on a beat, one low-passed stretch.
    case engineer
    /// Short fades, long cuts, a loop of any length starting anywhere, a bright low-pass.
    case radio
    /// Long, soft fades (S-curves and quarter sines), a short cut, a loop of a bar, a gentle
    /// two-pole low-pass.
    case gentle

    /// The script for a recording of `count` samples whose beats are `beatInterval` samples
    /// apart (with a beat at `firstBeat`).
    public func script(count: Int, sampleRate: Int, firstBeat: Int, beatInterval: Int,
                       random rng: inout SeededRandom) -> ScriptedEdit {
        let sr = Double(sampleRate)
        func samples(_ seconds: Double) -> Int { Int(seconds * sr) }
        let shapes = ScriptedEdit.FadeShape.allCases
        var steps: [ScriptedEdit.Step] = []
        let fadeIn: Double, fadeOut: Double
        let inShape: ScriptedEdit.FadeShape, outShape: ScriptedEdit.FadeShape
        switch self {
        case .engineer:
            fadeIn = rng.uniform(0.6, 3); fadeOut = rng.uniform(1, 4)
            inShape = rng.pick(shapes); outShape = rng.pick(shapes)
        case .radio:
            fadeIn = rng.uniform(0.3, 1); fadeOut = rng.uniform(0.4, 1.2)
            inShape = rng.pick([.linear, .quarterSine, .exponential]); outShape = rng.pick([.linear, .quarterSine, .exponential])
        case .gentle:
            fadeIn = rng.uniform(3, 6); fadeOut = rng.uniform(3, 6)
            inShape = rng.pick([.halfSine, .quarterSine, .logarithmic]); outShape = rng.pick([.halfSine, .quarterSine, .logarithmic])
        }
        steps.append(.init(0..<samples(fadeIn), .fadeIn(inShape)))
        steps.append(.init((count - samples(fadeOut))..<count, .fadeOut(outShape)))

        // The middle operations, each in its own slot between the fades.
        var middle: [(seconds: Double, operation: ScriptedEdit.Operation, onBeat: Bool)] = []
        let beat = Double(beatInterval) / sr
        switch self {
        case .engineer:
            for _ in 0..<rng.int(1, 2) { middle.append((rng.uniform(0.3, 2.5), .cut, false)) }
            middle.append((beat * Double(rng.pick([1, 2, 4])), .loop, true))
            middle.append((rng.uniform(1, 4), .lowPass(cutoff: rng.uniform(400, 1500), poles: rng.pick([4, 6])), false))
        case .radio:
            middle.append((rng.uniform(2, 5), .cut, false))
            middle.append((rng.uniform(0.5, 3), .loop, false))
            middle.append((rng.uniform(2, 5), .lowPass(cutoff: rng.uniform(1500, 2500), poles: 4), false))
        case .gentle:
            middle.append((rng.uniform(0.4, 1.2), .cut, false))
            middle.append((beat * 4, .loop, true))
            middle.append((rng.uniform(2, 4), .lowPass(cutoff: rng.uniform(800, 1200), poles: 2), false))
        }
        let lo = samples(fadeIn) + samples(0.5), hi = count - samples(fadeOut) - samples(0.5)
        let slot = (hi - lo) / max(1, middle.count)
        let order = middle.indices.shuffled(using: &rng)
        for (k, index) in order.enumerated() {
            let item = middle[index]
            let length = min(samples(item.seconds), slot - samples(0.5))
            guard length > samples(0.2) else { continue }
            var start = lo + k * slot + Int(rng.unit() * Double(slot - length))
            if item.onBeat, beatInterval > 0 {
                start = firstBeat + ((start - firstBeat) / beatInterval + 1) * beatInterval
                if start + length > lo + (k + 1) * slot { start -= beatInterval }
            }
            steps.append(.init(start..<(start + length), item.operation))
        }
        return ScriptedEdit(steps: steps, sampleRate: sampleRate)
    }
}
