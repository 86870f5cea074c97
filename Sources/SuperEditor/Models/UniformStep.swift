import Foundation

/// How each beat's level steps from the beat before and to the beat after, and how alike
/// the step is across the spectrum.
///
/// A section at the wrong level is the music times one gain: at its first and last beat lines
/// every band's mean level moves by the same number of dB. A change in the music (an
/// entry, an accent, a swell) moves some bands more than others. Measured on 68 excerpts of
/// music not trained on (wesnoth-1.16-music with put-in defects; 24 log bands of whole beats),
/// the step over its interquartile range across bands is above 1.5 at 67% of the first lines of
/// wrong-level sections and at 3% of the lines between clean beats (docs/beat-policy.md).
///
/// Per beat, four numbers: the median band step from the beat before over 10 dB (within ±3),
/// its uniformity (|median| over the interquartile range plus 1 dB, capped at 5, over 5), and
/// the same to the beat after. Bands (`RepeatLevel.levels`' groups) count where both beats
/// are above the floor; with fewer than `minGroups` of them, or at the track's ends, 0.
enum UniformStep {
    static let minGroups = 8

    /// `level` is `RepeatLevel.levels(power:spans:nMels:)`, `groups` its groups per beat.
    static func compute(levels level: [Double], groups: Int, beats nb: Int) -> [Float] {
        var out = [Float](repeating: 0, count: nb * 4)
        var d: [Double] = []
        d.reserveCapacity(groups)
        for k in 1..<max(1, nb) {
            d.removeAll(keepingCapacity: true)
            for g in 0..<groups {
                let a = level[(k - 1) * groups + g], b = level[k * groups + g]
                if a > RepeatLevel.floorDB && b > RepeatLevel.floorDB { d.append(b - a) }
            }
            guard d.count >= minGroups else { continue }
            let (median, iqr) = medianAndSpread(&d)
            let step = Float(min(3, max(-3, median / 10)))
            let uniformity = Float(min(5, abs(median) / (iqr + 1)) / 5)
            // The line between beats k-1 and k: k's step in, and k-1's step out (the same move).
            out[k * 4] = step; out[k * 4 + 1] = uniformity
            out[(k - 1) * 4 + 2] = step; out[(k - 1) * 4 + 3] = uniformity
        }
        return out
    }

    /// The median of `d` and its interquartile range (`d` is sorted in place).
    static func medianAndSpread(_ d: inout [Double]) -> (median: Double, iqr: Double) {
        d.sort()
        return (d[d.count / 2], d[(3 * d.count) / 4] - d[d.count / 4])
    }
}
