import Foundation

/// Kick, snare and hi-hat, synthesised, in a few grooves.
enum Drums {
    static func bar(_ out: UnsafeMutablePointer<Float>, count: Int, start: Int, beatLength: Int, groove: Int,
                    level: Float, sampleRate sr: Double, rng: inout SeededRandom) {
        let eighth = beatLength / 2
        // Eighth-note positions 0..<8 of the bar.
        let kicks: [Int], snares: [Int]
        switch groove {
        case 0: kicks = [0, 4]; snares = [2, 6]
        case 1: kicks = [0, 3, 4]; snares = [2, 6]
        default: kicks = [0, 2, 4, 6]; snares = [2, 6, 7]
        }
        let g = 0.5 + 0.5 * level
        for k in kicks { kick(out, count: count, start: start + k * eighth, length: beatLength, gain: 0.55 * g, sampleRate: sr) }
        for k in snares { snare(out, count: count, start: start + k * eighth, length: eighth, gain: 0.3 * g, sampleRate: sr, rng: &rng) }
        for k in 0..<8 { hat(out, count: count, start: start + k * eighth, length: eighth, gain: (k % 2 == 0 ? 0.12 : 0.08) * g, sampleRate: sr, rng: &rng) }
    }

    static func kick(_ out: UnsafeMutablePointer<Float>, count: Int, start: Int, length: Int, gain: Float, sampleRate sr: Double) {
        let end = min(start + min(length, Int(0.3 * sr)), count)
        guard start < end else { return }
        var phase = 0.0
        for i in start..<end {
            let t = Double(i - start) / sr
            let f = 45 + 75 * exp(-t / 0.03)
            phase += f / sr
            let fadeOut = Float(min(1, Double(end - i) / (0.01 * sr)))
            out[i] += gain * Float(exp(-t / 0.12)) * fadeOut * sinf(Float(2 * Double.pi * phase))
        }
    }

    static func snare(_ out: UnsafeMutablePointer<Float>, count: Int, start: Int, length: Int, gain: Float,
                      sampleRate sr: Double, rng: inout SeededRandom) {
        let end = min(start + length, count)
        guard start < end else { return }
        for i in start..<end {
            let t = Double(i - start) / sr
            let fadeOut = Float(min(1, Double(end - i) / (0.005 * sr)))
            let tone = 0.4 * sinf(Float(2 * Double.pi * 185 * t)) * Float(exp(-t / 0.04))
            out[i] += gain * fadeOut * (rng.noise() * Float(exp(-t / 0.07)) + tone)
        }
    }

    static func hat(_ out: UnsafeMutablePointer<Float>, count: Int, start: Int, length: Int, gain: Float,
                    sampleRate sr: Double, rng: inout SeededRandom) {
        let end = min(start + min(length, Int(0.06 * sr)), count)
        guard start < end else { return }
        var previous: Float = 0
        for i in start..<end {
            let t = Double(i - start) / sr
            let w = rng.noise()
            out[i] += gain * (w - previous) * Float(exp(-t / 0.015)) // first difference: a high-pass
            previous = w
        }
    }
}
