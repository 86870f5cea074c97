import Foundation

/// Whether a beat lies in a short section that sits at one gain against the beats either
/// side of it.
///
/// `UniformStep` sees a gain change at a section's first and last beat lines; the beats inside
/// a section of three or four carry no step of their own, and the policy has to carry the
/// lines' evidence to them. Here every section of one to `maxLength` beats with a beat on each
/// side is scored as a whole: its mean level per band group against the beat before and
/// against the beat after, the median of each over the groups (both of one sign: quieter or
/// louder than both neighbours), and how alike the groups are (the larger interquartile range).
/// Measured on the dev set of docs/beat-policy.md (wesnoth-1.16-music with put-in defects,
/// whole-beat band levels), the score of the best section holding a beat is above its
/// 99th percentile on clean beats (away from other defects) at 55% of the wrong-level beats.
///
/// Per beat, two numbers from the best-scoring section that holds it: its level against the
/// nearer neighbour (the smaller of the two medians, signed, over 10 dB, within ±3) and the
/// score (that level over the larger interquartile range plus 1 dB, capped at 5, over 5).
/// Groups count where every beat involved is above the floor; with fewer than `minGroups`, or
/// for beats in no section (the first and last beat), 0.
enum UniformSection {
    static let maxLength = 4
    static let minGroups = UniformStep.minGroups

    /// `level` is `RepeatLevel.levels(power:spans:nMels:)`, `groups` its groups per beat.
    static func compute(levels level: [Double], groups: Int, beats nb: Int) -> [Float] {
        var out = [Float](repeating: 0, count: nb * 2)
        var best = [Double](repeating: 0, count: nb)
        var before: [Double] = [], after: [Double] = []
        before.reserveCapacity(groups)
        after.reserveCapacity(groups)
        level.withUnsafeBufferPointer { v in
            for s in 1..<max(1, nb - 1) {
                for e in (s + 1)...min(nb - 1, s + maxLength) {
                    before.removeAll(keepingCapacity: true)
                    after.removeAll(keepingCapacity: true)
                    for g in 0..<groups {
                        let left = v[(s - 1) * groups + g], right = v[e * groups + g]
                        guard left > RepeatLevel.floorDB && right > RepeatLevel.floorDB else { continue }
                        var inside = 0.0, audible = true
                        for k in s..<e {
                            let x = v[k * groups + g]
                            audible = audible && x > RepeatLevel.floorDB
                            inside += x
                        }
                        guard audible else { continue }
                        inside /= Double(e - s)
                        before.append(inside - left)
                        after.append(inside - right)
                    }
                    guard before.count >= minGroups else { continue }
                    let (a, spreadBefore) = UniformStep.medianAndSpread(&before)
                    let (b, spreadAfter) = UniformStep.medianAndSpread(&after)
                    guard a * b > 0 else { continue }
                    let spread = max(spreadBefore, spreadAfter)
                    let offset = abs(a) < abs(b) ? a : b
                    let score = abs(offset) / (spread + 1)
                    for k in s..<e where score > best[k] {
                        best[k] = score
                        out[k * 2] = Float(min(3, max(-3, offset / 10)))
                        out[k * 2 + 1] = Float(min(5, score) / 5)
                    }
                }
            }
        }
        return out
    }
}
