import Foundation

/// The things an editor removes, each with an audible signature so a model can learn to
/// find them from the raw audio: a count-in is a few stick clicks before the music, a
/// dropout is a gap of silence, a noise burst is loud broadband noise, dead air is silence
/// at the end. (The wrong-note bar is music played out of key: `SyntheticMusic.renderBar`.)
enum Defects {
    static func render(_ unit: TrackUnit, into out: UnsafeMutablePointer<Float>, count: Int, plan: TrackPlan,
                       firstBeat: Int, rng: inout SeededRandom) {
        switch unit {
        case .countIn(let beats):
            for b in 0..<beats { stickClick(into: out, count: count, at: plan.beatSample(firstBeat + b), sampleRate: plan.sampleRate, rng: &rng) }
        case .noiseBurst(let beats):
            let start = plan.beatSample(firstBeat), end = min(plan.beatSample(firstBeat + beats), count)
            addNoise(into: out, range: start..<max(start, end), level: 0.7, sampleRate: plan.sampleRate, rng: &rng)
        case .dropout, .deadAir:
            break // silence: nothing is added
        case .bar, .wrongNoteBar:
            break // music, rendered by SyntheticMusic
        }
    }

    /// One count-in stick click (50 ms, two partials and a little noise) added at `start`.
    static func stickClick(into out: UnsafeMutablePointer<Float>, count: Int, at start: Int, sampleRate: Int,
                           rng: inout SeededRandom) {
        let sr = Double(sampleRate)
        let end = min(start + Int(0.05 * sr), count)
        guard start >= 0, start < end else { return }
        for i in start..<end {
            let t = Double(i - start) / sr
            let env = Float(exp(-t / 0.008))
            let tone = 0.5 * sinf(Float(2 * Double.pi * 2200 * t)) + 0.3 * sinf(Float(2 * Double.pi * 4700 * t))
            out[i] += 0.6 * env * (tone + 0.4 * rng.noise())
        }
    }

    /// Broadband noise of peak `level` added over `range`, with 5 ms ramps at its edges.
    static func addNoise(into out: UnsafeMutablePointer<Float>, range: Range<Int>, level: Float, sampleRate: Int,
                         rng: inout SeededRandom) {
        guard !range.isEmpty else { return }
        let ramp = Int(0.005 * Double(sampleRate))
        for i in range { out[i] += level * rampEdge(i, in: range, ramp: ramp) * rng.noise() }
    }

    /// 0 at either end of `range`, rising linearly to 1 over `ramp` samples.
    @inline(__always)
    static func rampEdge(_ i: Int, in range: Range<Int>, ramp: Int) -> Float {
        Float(min(1, Double(min(i - range.lowerBound, range.upperBound - 1 - i)) / Double(ramp)))
    }
}
