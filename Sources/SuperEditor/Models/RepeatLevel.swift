import Foundation

/// How loud each beat is against the beats elsewhere in the track that sound most like it.
///
/// Music repeats: a bar at the wrong level (a fader bump, a take at another gain) usually has
/// twins elsewhere that hold the same notes at the right level, and it differs from them by
/// one gain across every band. An accented bar usually changes its spectrum's shape as well as
/// its level, so its closest twins (by shape, the gain taken out) are other loud bars. On the
/// recipe's training pairs this halves the clean beats that look like a level defect, against
/// the level over the neighbours' median alone; a swell of a few beats in real music can
/// still read as one (docs/beat-policy.md).
///
/// For each beat: the mean power of each group of `bandsPerGroup` mel bands in dB; for every
/// other beat at least `minDistance` beats away (up to `window` either side), the mean dB
/// difference over the groups both hold above the floor (the gain) and the mean absolute
/// deviation from it (the shape distance); then the median gain of the `twins` closest.
enum RepeatLevel {
    static let bandsPerGroup = 4
    /// Beats either side that are never twins: a wrong-level section is up to four beats long.
    static let minDistance = 5
    /// Beats either side searched, so that a 3-hour recording costs linear time.
    static let window = 1000
    static let twins = 3
    /// dB over the normalised mel's floor that a band group must reach in both beats.
    static let floorDB = 3.0
    /// Band groups a pair must share to be compared.
    static let minGroups = 4

    /// Groups of `bandsPerGroup` mel bands in an `m`-band mel.
    static func groups(nMels m: Int) -> Int { max(1, m / bandsPerGroup) }

    /// Per beat and band group, the mean power in dB over the normalised mel's floor (beats ×
    /// groups, row-major), from `power`: each group's summed band power over the beat's frames
    /// (`BeatFeatures.compute` sums it in its own pass over the mel).
    static func levels(power: [Double], spans: [Range<Int>], nMels m: Int) -> [Double] {
        let groups = groups(nMels: m)
        var level = [Double](repeating: 0, count: power.count)
        for (k, s) in spans.enumerated() {
            let n = Double(max(s.count, 1) * min(bandsPerGroup, m))
            for g in 0..<groups { level[k * groups + g] = 10 * log10(max(power[k * groups + g] / n, 1e-12)) }
        }
        return level
    }

    /// (gain in dB against the closest twins, their shape distance in dB), one per beat; nil
    /// where a beat has no comparable twin (a short track, or silence).
    /// `level` is `levels(power:spans:nMels:)`, `groups` its groups per beat.
    static func compute(levels level: [Double], groups: Int, beats nb: Int) -> [(gain: Double, distance: Double)?] {
        var out = [(gain: Double, distance: Double)?](repeating: nil, count: nb)
        var best = [(distance: Double, gain: Double)]()
        level.withUnsafeBufferPointer { v in
            for k in 0..<nb {
                best.removeAll(keepingCapacity: true)
                let a = v.baseAddress! + k * groups
                for j in max(0, k - window)...min(nb - 1, k + window) where abs(j - k) >= minDistance {
                    let b = v.baseAddress! + j * groups
                    var sum = 0.0, count = 0
                    for g in 0..<groups where a[g] > floorDB && b[g] > floorDB { sum += a[g] - b[g]; count += 1 }
                    guard count >= minGroups else { continue }
                    let gain = sum / Double(count)
                    var deviation = 0.0
                    for g in 0..<groups where a[g] > floorDB && b[g] > floorDB { deviation += abs(a[g] - b[g] - gain) }
                    let d = deviation / Double(count)
                    if best.count < twins {
                        best.append((d, gain))
                        best.sort { $0.distance < $1.distance }
                    } else if d < best[twins - 1].distance {
                        best[twins - 1] = (d, gain)
                        best.sort { $0.distance < $1.distance }
                    }
                }
                guard !best.isEmpty else { continue }
                let gains = best.map(\.gain).sorted()
                out[k] = (gains[gains.count / 2], best[0].distance)
            }
        }
        return out
    }
}
