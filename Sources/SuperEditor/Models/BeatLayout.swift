import Foundation
import Tensor

/// The beats of a batch of whole tracks, as a beat policy needs them: each track's beat spans
/// (frames), the features of every beat, and the index maps between frames and beats, padded
/// to the longest track and the most beats.
public struct BeatLayout {
    /// Padded frames per track (T) and beats per track (NB).
    public let frames: Int
    public let beats: Int
    /// Frame spans of each track's beats (`EditTimeline.beatSpans`).
    public let spans: [[Range<Int>]]
    /// (B, NB, `BeatFeatures.count`), zero for padding beats.
    public let features: Tensor
    /// B·NB: true where a beat is padding.
    public let padding: [Bool]
    /// B·NB rows of the flattened (B·T) frames that each beat pools; empty for padding.
    public let frameSegments: [Range<Int>]
    /// B·T: the flattened (B·NB) beat each frame belongs to (0 for padding frames).
    public let frameToBeat: [Int]

    public var batch: Int { spans.count }
    /// Real frames per track.
    public var lengths: [Int] { spans.map { $0.last?.upperBound ?? 0 } }

    /// `mel` is (B, T, n_mels) with each track's frames first; `lengths` the real frames per
    /// track; `beatFrames` the frames each track's beats start at (the grid `prepare` labels
    /// on; none: the whole track is one beat); `transients` each track's `TransientCrest`
    /// per frame (none, or an empty one: not known, and the click feature is 0). `minBeats`
    /// pads to at least that many beats (a data-parallel rank pads its share of a batch to the
    /// whole batch's beats, so that dropout sees the same shapes). `featureCount`: the features
    /// the policy reads; those past it stay 0 where they cost work to compute (27–28).
    public init(mel: Tensor, lengths: [Int], beatFrames: [[Int]], transients: [[Float]] = [], frameRate: Double, minBeats: Int = 0,
                featureCount: Int = BeatFeatures.count) {
        let b = mel.shape[0], t = mel.shape[1], m = mel.shape[2]
        precondition(lengths.count == b && beatFrames.count == b, "one length and one beat grid per track")
        precondition(transients.isEmpty || transients.count == b, "one transient series per track, or none")
        let spans = zip(beatFrames, lengths).map { EditTimeline.beatSpans(positions: $0.isEmpty ? [0] : $0, total: $1) }
        let nb = max(spans.map(\.count).max() ?? 0, minBeats)
        let f = BeatFeatures.count
        let features = Tensor.zeros([b, nb, f])
        var padding = [Bool](repeating: true, count: b * nb)
        var segments = [Range<Int>](repeating: 0..<0, count: b * nb)
        var toBeat = [Int](repeating: 0, count: b * t)
        for i in 0..<b {
            let transient = transients.isEmpty ? [] : transients[i]
            precondition(transient.isEmpty || transient.count >= lengths[i], "a transient value per real frame")
            let values = transient.withUnsafeBufferPointer { tb in
                BeatFeatures.compute(mel: mel.data + i * t * m, nMels: m, spans: spans[i], frameRate: frameRate,
                                     transient: tb.isEmpty ? nil : tb.baseAddress!, reading: featureCount)
            }
            values.withUnsafeBufferPointer { (features.data + i * nb * f).update(from: $0.baseAddress!, count: values.count) }
            for (k, s) in spans[i].enumerated() {
                padding[i * nb + k] = false
                segments[i * nb + k] = (i * t + s.lowerBound)..<(i * t + s.upperBound)
                for frame in s { toBeat[i * t + frame] = i * nb + k }
            }
        }
        self.frames = t
        self.beats = nb
        self.spans = spans
        self.features = features
        self.padding = padding
        frameSegments = segments
        frameToBeat = toBeat
    }

    /// The first `n` features of every beat, (B, NB, n) (all of them without a copy).
    public func features(first n: Int) -> Tensor {
        let f = BeatFeatures.count
        guard n < f else { return features }
        let out = Tensor.zeros([batch, beats, n])
        for r in 0..<(batch * beats) { (out.data + r * n).update(from: features.data + r * f, count: n) }
        return out
    }

    /// Per-beat values (B·NB rows of `width`) spread to the frames of their beat: (B, T, width).
    public func toFrames(_ perBeat: Tensor) -> Tensor {
        let width = perBeat.shape.last!
        return perBeat.reshaped([batch * beats, width]).gatherRows(frameToBeat, indexShape: [batch, frames])
    }

    /// Per-frame values (B, T, width) averaged over each beat: (B, NB, width).
    public func toBeats(_ perFrame: Tensor) -> Tensor {
        let width = perFrame.shape.last!
        return perFrame.reshaped([batch * frames, width]).segmentMean(frameSegments, segmentShape: [batch, beats])
    }
}

/// What each beat needs to see of where it sits in the whole track, as numbers of order one:
/// - time from the track's start and to its end, in minutes, and both relative to the length;
/// - beats from the start and to the end (up to 16);
/// - position in a four-beat bar, as a phase;
/// - loudness (the beat's mean normalised mel) against the track's mean and its loudest beat,
///   and its rank among the track's beats;
/// - the beat's length against the track's median beat, and the track's length;
/// - (since `beat_features` 15) its loudness against the beats around it (eight either side),
///   which shows a section at the wrong level, and how far its top mel bands peak above their
///   own median within the beat, against the track's typical beat, which shows clicks;
/// - (since 17) its sharpest waveform step (`TransientCrest`, the beat's largest) against the
///   track's typical beat, which finds clicks the mel does not show, and its level in dB (the
///   median frame of summed mel power) against the median of the beats around it, which a
///   gain change moves by its full amount where the mean normalised mel (floored bands)
///   moves less;
/// - (since 18) how loud the loudest four-beat window holding the beat is against the track's
///   loudest window, which shows the strongest bar (the guide's style loops it);
/// - (19–26) one each for the first and the last four beats;
/// - (since 28) its level against the beats elsewhere in the track that sound most like it
///   (`RepeatLevel`), over 10 dB, and how alike the closest of them is (shape distance over
///   5 dB; 2 where none compares), which tells most sections at the wrong level from an
///   accent (not a swell of a few beats: docs/beat-policy.md);
/// - (29–32) the level step from the beat before and to the beat after (`UniformStep`: the
///   median over the mel bands of the change of each band's mean, over 10 dB), and how alike
///   the bands' changes are (the step against their interquartile range): a gain moves every
///   band by the same amount, a change in the music does not;
/// - (33–34) the best section of one to four beats holding the beat that sits at one gain
///   against the beats either side (`UniformSection`): its level against them, over 10 dB,
///   and how alike the bands' offsets are, which reaches the beats inside a section that the
///   steps at its lines do not.
/// A policy reads the first `PredictorConfig.beatFeatures` of them.
public enum BeatFeatures {
    public static let count = 34
    static let twinStart = 26, stepStart = 28, sectionStart = 32
    /// What a new beat policy reads unless its config says otherwise (`beat_features`).
    public static let defaultCount = 26
    /// What a Phase 2 run config without `beat_features` means: runs from before the edge
    /// features (19–26) existed read 18.
    public static let beforeEdges = 18
    /// Beats from each end that get their own one-hot feature.
    static let edgeBeats = 4
    /// What policies saved before `beat_features` existed read.
    public static let firstRelease = 13
    static let neighbours = 8
    static let topBands = 16
    static let barBeats = 4
    /// The dB span a normalised mel covers (`power_to_db`'s top_db), to sum band powers.
    static let melRangeDB = 80.0

    /// Row-major (beats, `count`) for one track's mel rows `mel` (frames × nMels), spans and
    /// `TransientCrest` per frame (nil: not known; the click feature is then 0). The twin
    /// features (27–28), an O(beats²) comparison, the steps (29–32) and the sections (33–34) are
    /// computed only when `reading` includes them.
    public static func compute(mel: UnsafePointer<Float>, nMels m: Int, spans: [Range<Int>], frameRate: Double,
                               transient: UnsafePointer<Float>? = nil, reading: Int = count) -> [Float] {
        let nb = spans.count
        guard nb > 0 else { return [] }
        let total = spans.last!.upperBound
        let duration = Double(total) / frameRate
        var loudness = [Double](repeating: 0, count: nb), peak = [Double](repeating: 0, count: nb)
        var levelDB = [Double](repeating: 0, count: nb), sharpest = [Double](repeating: 0, count: nb)
        var powerSum = [Double](repeating: 0, count: nb)
        var trackSum = 0.0
        let top = min(topBands, m)
        var high: [Double] = [], frameDB: [Double] = []
        let toPower = melRangeDB / 10 * log(10.0)
        // The twins, the steps and the sections (27–34) read each beat's power per band group, summed here.
        let groups = RepeatLevel.groups(nMels: m), grouped = min(groups * RepeatLevel.bandsPerGroup, m)
        var bandPower = [Double](repeating: 0, count: reading > twinStart ? nb * groups : 0)
        for (k, s) in spans.enumerated() {
            var sum = 0.0
            high.removeAll(keepingCapacity: true)
            frameDB.removeAll(keepingCapacity: true)
            for frame in s {
                let row = mel + frame * m
                var h = 0.0, power = 0.0
                if bandPower.isEmpty {
                    for j in 0..<m { sum += Double(row[j]); power += exp(toPower * Double(row[j])) }
                } else {
                    for j in 0..<m {
                        let e = exp(toPower * Double(row[j]))
                        sum += Double(row[j]); power += e
                        if j < grouped { bandPower[k * groups + j / RepeatLevel.bandsPerGroup] += e }
                    }
                }
                for j in (m - top)..<m { h += Double(row[j]) }
                high.append(h / Double(max(top, 1)))
                frameDB.append(10 * log10(power / Double(m)))
                powerSum[k] += power / Double(m)
                if let transient { sharpest[k] = max(sharpest[k], Double(transient[frame])) }
            }
            trackSum += sum
            loudness[k] = s.isEmpty ? 0 : sum / Double(s.count * m)
            if !high.isEmpty { high.sort(); peak[k] = high.last! - high[high.count / 2] }
            if !frameDB.isEmpty { frameDB.sort(); levelDB[k] = frameDB[frameDB.count / 2] }
        }
        let typicalPeak = peak.sorted()[nb / 2]
        let typicalSharpest = sharpest.sorted()[nb / 2]
        let bars = barLevels(powerSum: powerSum, spans: spans)
        let trackMean = trackSum / Double(max(total * m, 1))
        let loudest = loudness.max() ?? 0
        let rank = rankFractions(loudness)
        let twin = twinStart
        let bandLevels = bandPower.isEmpty ? nil : RepeatLevel.levels(power: bandPower, spans: spans, nMels: m)
        let repeats = bandLevels.map { RepeatLevel.compute(levels: $0, groups: groups, beats: nb) }
        let steps = reading > stepStart ? bandLevels.map { UniformStep.compute(levels: $0, groups: groups, beats: nb) } : nil
        let sections = reading > sectionStart ? bandLevels.map { UniformSection.compute(levels: $0, groups: groups, beats: nb) } : nil
        let lengths = spans.map { Double($0.count) }.sorted()
        let median = max(1, lengths[nb / 2])
        var out = [Float](repeating: 0, count: nb * count)
        for (k, s) in spans.enumerated() {
            let start = Double(s.lowerBound) / frameRate, end = Double(s.upperBound) / frameRate
            let phase = 2 * Double.pi * Double(k % 4) / 4
            let row: [Double] = [
                start / 60, (duration - end) / 60,
                start / max(duration, 1e-9), (duration - end) / max(duration, 1e-9),
                Double(min(k, 16)) / 16, Double(min(nb - 1 - k, 16)) / 16,
                sin(phase), cos(phase),
                (loudness[k] - trackMean) * 4, (loudness[k] - loudest) * 4, rank[k],
                Double(s.count) / median - 1, duration / 300,
                (loudness[k] - neighbourMean(loudness, k)) * 4, (peak[k] - typicalPeak) * 4,
                transient == nil ? 0 : clamp(sharpest[k] - typicalSharpest, 3),
                clamp((levelDB[k] - neighbourMedian(levelDB, k)) / 10, 4),
                bars[k],
            ]
            for j in row.indices { out[k * count + j] = Float(row[j]) }
            // The edge features: one each for the first and the last `edgeBeats` beats.
            if k < edgeBeats { out[k * count + row.count + k] = 1 }
            if nb - 1 - k < edgeBeats { out[k * count + row.count + edgeBeats + nb - 1 - k] = 1 }
            if let repeats {
                out[k * count + twin] = Float(repeats[k].map { clamp($0.gain / 10, 2) } ?? 0)
                out[k * count + twin + 1] = Float(repeats[k].map { min($0.distance / 5, 2) } ?? 2)
            }
            if let steps {
                for j in 0..<4 { out[k * count + stepStart + j] = steps[k * 4 + j] }
            }
            if let sections {
                for j in 0..<2 { out[k * count + sectionStart + j] = sections[k * 2 + j] }
            }
        }
        return out
    }

    /// The mean of up to `neighbours` values either side of `k`, without it (its own value alone).
    static func neighbourMean(_ v: [Double], _ k: Int) -> Double {
        var sum = 0.0, n = 0
        for j in max(0, k - neighbours)...min(v.count - 1, k + neighbours) where j != k { sum += v[j]; n += 1 }
        return n > 0 ? sum / Double(n) : v[k]
    }

    /// For each beat, the loudest four-beat window that holds it (mean power in dB) against the
    /// track's loudest window, over 10 and floored at −4: 0 for the beats of the loudest bar
    /// wherever the bar lines fall. Tracks shorter than a bar use their whole length.
    static func barLevels(powerSum: [Double], spans: [Range<Int>]) -> [Double] {
        let nb = spans.count, width = min(barBeats, nb)
        let windows = (0...(nb - width)).map { w -> Double in
            var p = 0.0, n = 0
            for j in w..<(w + width) { p += powerSum[j]; n += spans[j].count }
            return 10 * log10(max(p / Double(max(n, 1)), 1e-12))
        }
        let loudest = windows.max() ?? 0
        return (0..<nb).map { k in
            let best = windows[max(0, k - width + 1)...min(k, windows.count - 1)].max() ?? loudest
            return max(-4, (best - loudest) / 10)
        }
    }

    /// The median of up to `neighbours` values either side of `k`, without it: a section of a
    /// few beats at another level does not move it.
    static func neighbourMedian(_ v: [Double], _ k: Int) -> Double {
        var around: [Double] = []
        for j in max(0, k - neighbours)...min(v.count - 1, k + neighbours) where j != k { around.append(v[j]) }
        guard !around.isEmpty else { return v[k] }
        around.sort()
        return around[around.count / 2]
    }

    static func clamp(_ x: Double, _ limit: Double) -> Double { min(limit, max(-limit, x)) }

    /// Each value's rank among all, as a fraction in [0, 1] (ties share the lower rank).
    static func rankFractions(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
        var out = [Double](repeating: 0, count: v.count)
        let denom = Double(max(v.count - 1, 1))
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            for k in i...j { out[order[k]] = Double(i) / denom }
            i = j + 1
        }
        return out
    }
}
