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
    /// on; none: the whole track is one beat).
    public init(mel: Tensor, lengths: [Int], beatFrames: [[Int]], frameRate: Double) {
        let b = mel.shape[0], t = mel.shape[1], m = mel.shape[2]
        precondition(lengths.count == b && beatFrames.count == b, "one length and one beat grid per track")
        let spans = zip(beatFrames, lengths).map { EditTimeline.beatSpans(positions: $0.isEmpty ? [0] : $0, total: $1) }
        let nb = spans.map(\.count).max() ?? 0
        let f = BeatFeatures.count
        let features = Tensor.zeros([b, nb, f])
        var padding = [Bool](repeating: true, count: b * nb)
        var segments = [Range<Int>](repeating: 0..<0, count: b * nb)
        var toBeat = [Int](repeating: 0, count: b * t)
        for i in 0..<b {
            let values = BeatFeatures.compute(mel: mel.data + i * t * m, nMels: m, spans: spans[i], frameRate: frameRate)
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
///   own median within the beat, against the track's typical beat, which shows clicks.
/// A policy reads the first `PredictorConfig.beatFeatures` of them.
public enum BeatFeatures {
    public static let count = 15
    /// What policies saved before the last two features existed read.
    public static let firstRelease = 13
    static let neighbours = 8
    static let topBands = 16

    /// Row-major (beats, `count`) for one track's mel rows `mel` (frames × nMels) and spans.
    public static func compute(mel: UnsafePointer<Float>, nMels m: Int, spans: [Range<Int>], frameRate: Double) -> [Float] {
        let nb = spans.count
        guard nb > 0 else { return [] }
        let total = spans.last!.upperBound
        let duration = Double(total) / frameRate
        var loudness = [Double](repeating: 0, count: nb), peak = [Double](repeating: 0, count: nb)
        var trackSum = 0.0
        let top = min(topBands, m)
        var high: [Double] = []
        for (k, s) in spans.enumerated() {
            var sum = 0.0
            high.removeAll(keepingCapacity: true)
            for frame in s {
                let row = mel + frame * m
                var h = 0.0
                for j in 0..<m { sum += Double(row[j]) }
                for j in (m - top)..<m { h += Double(row[j]) }
                high.append(h / Double(max(top, 1)))
            }
            trackSum += sum
            loudness[k] = s.isEmpty ? 0 : sum / Double(s.count * m)
            if !high.isEmpty { high.sort(); peak[k] = high.last! - high[high.count / 2] }
        }
        let typicalPeak = peak.sorted()[nb / 2]
        let trackMean = trackSum / Double(max(total * m, 1))
        let loudest = loudness.max() ?? 0
        let rank = rankFractions(loudness)
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
            ]
            for j in 0..<count { out[k * count + j] = Float(row[j]) }
        }
        return out
    }

    /// The mean of up to `neighbours` values either side of `k`, without it (its own value alone).
    static func neighbourMean(_ v: [Double], _ k: Int) -> Double {
        var sum = 0.0, n = 0
        for j in max(0, k - neighbours)...min(v.count - 1, k + neighbours) where j != k { sum += v[j]; n += 1 }
        return n > 0 ? sum / Double(n) : v[k]
    }

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
