import Tensor

/// Sections at the wrong level put into the beat policy's warm-start tracks, in the mel
/// domain, for a run whose edits cut them (the clean-up style, `CleanupStyle`): with
/// `probability` per track, a run of two to four clean beats is made 14 dB too quiet or 6 dB
/// too loud and labelled CUT.
///
/// Why: in the clean-up pairs a track has one or two such sections, so a policy sees a few
/// thousand of them, and on music it was not trained on it keeps a third of them, sure of
/// itself (`evaluate cleanup`, MODEL_CARD.md). A gain on the samples moves every mel band of
/// the section by the same dB, so it can be put in where every other beat of every track
/// was heard, as many times as the warm start draws the track.
///
/// The normalised mel (`MelSpectrogram.normalise` of `power_to_db` with ref = max and
/// top_db 80) has 80 dB per unit on music with a floor; a section pushed above the track's
/// loudest frame raises the reference, which lowers every frame by the excess; values stay
/// floored at 0. The waveform's `TransientCrest` is left as it is (a 10 ms ramp is no step).
public struct LevelAugmentation: Sendable {
    public var probability: Double
    static let gainsDB: [Float] = [-14, 6]
    static let dbPerUnit: Float = 80
    /// Clean beats either side of the section, and beats kept clear of each end.
    static let margin = 2, edge = 3

    public init(probability: Double) { self.probability = probability }

    /// `pair` with at most one section put in (unchanged when the draw says no or no run of
    /// clean beats is long enough), deterministic in `seed`.
    public func apply(_ pair: PairedMelDataset.Pair, nMels m: Int, seed: UInt64) -> PairedMelDataset.Pair {
        var rng = RandomGenerator(seed: seed)
        guard Double(rng.nextFloat()) < probability, !pair.beatFrames.isEmpty else { return pair }
        let spans = EditTimeline.beatSpans(positions: pair.beatFrames, total: pair.frames)
        let nb = min(spans.count, pair.beatLabels.count)
        let length = 2 + Int(rng.next() % 3)
        let keep = EditLabel.keep.rawValue
        let starts = (Self.edge..<max(Self.edge, nb - Self.edge - length + 1)).filter { b in
            (max(0, b - Self.margin)..<min(nb, b + length + Self.margin)).allSatisfy { pair.beatLabels[$0] == keep }
        }
        guard !starts.isEmpty else { return pair }
        let first = starts[Int(rng.next() % UInt64(starts.count))]
        let gain = Self.gainsDB[Int(rng.next() % UInt64(Self.gainsDB.count))] / Self.dbPerUnit
        let frames = spans[first].lowerBound..<spans[first + length - 1].upperBound
        var mel = pair.mel
        var loudest: Float = 0
        mel.withUnsafeMutableBufferPointer { p in
            for i in (frames.lowerBound * m)..<(frames.upperBound * m) { p[i] = max(0, p[i] + gain); loudest = max(loudest, p[i]) }
            if loudest > 1 {
                let excess = loudest - 1
                for i in 0..<(pair.frames * m) { p[i] = max(0, p[i] - excess) }
            }
        }
        var beatLabels = pair.beatLabels, labels = pair.labels
        for k in first..<(first + length) { beatLabels[k] = EditLabel.cut.rawValue }
        for f in frames where f < labels.count { labels[f] = EditLabel.cut.rawValue }
        return PairedMelDataset.Pair(id: pair.id, frames: pair.frames, mel: mel, target: pair.target, labels: labels,
                                     edited: pair.edited, editedFrames: pair.editedFrames, beatFrames: pair.beatFrames,
                                     beatLabels: beatLabels, transient: pair.transient)
    }
}
