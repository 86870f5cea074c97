import Foundation

/// The EFFECT sound: a resonant low-pass filter whose cutoff sweeps from `high` down to
/// `low` in the middle of the stretch and back up, as a DJ filter sweep on a breakdown.
/// Two cascaded RBJ biquads (24 dB/octave) so the high bands drop clearly on every beat.
public struct LowPassSweep: Sendable {
    public var low: Double = 300
    public var high: Double = 1500
    public var q: Double = 1.2
    /// Coefficients are recomputed every this many samples.
    public var controlInterval = 16

    public init(low: Double = 300, high: Double = 1500) {
        self.low = low
        self.high = high
    }

    /// Filters `x[range]` in place.
    public func apply(_ x: UnsafeMutableBufferPointer<Float>, range: Range<Int>, sampleRate: Int) {
        let n = range.count
        guard n > 1 else { return }
        var s1 = (0.0, 0.0, 0.0, 0.0), s2 = (0.0, 0.0, 0.0, 0.0) // x1, x2, y1, y2 per stage
        var b0 = 0.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0
        let p = x.baseAddress! + range.lowerBound
        for k in 0..<n {
            if k % controlInterval == 0 {
                let pos = Double(k) / Double(n - 1)
                let cutoff = high * pow(low / high, sin(Double.pi * pos))
                let w = 2 * Double.pi * min(cutoff, 0.45 * Double(sampleRate)) / Double(sampleRate)
                let alpha = sin(w) / (2 * q)
                let cw = cos(w)
                let a0 = 1 + alpha
                b1 = (1 - cw) / a0
                b0 = b1 / 2
                b2 = b0
                a1 = -2 * cw / a0
                a2 = (1 - alpha) / a0
            }
            let input = Double(p[k])
            let y1 = b0 * input + b1 * s1.0 + b2 * s1.1 - a1 * s1.2 - a2 * s1.3
            s1 = (input, s1.0, y1, s1.2)
            let y2 = b0 * y1 + b1 * s2.0 + b2 * s2.1 - a1 * s2.2 - a2 * s2.3
            s2 = (y1, s2.0, y2, s2.2)
            p[k] = Float(y2)
        }
    }
}
