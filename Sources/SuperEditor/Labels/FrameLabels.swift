/// Per-beat labels expanded to per-frame labels (DESIGN.md, "Granularity"): a beat's label
/// covers the frames from its beat frame up to the next beat's; frames before the first
/// beat take the first beat's label, frames after the last beat the last one's.
public enum FrameLabels {
    public static func expand(beatLabels: [EditLabel], beatFrames: [Int], frames: Int) -> [EditLabel] {
        precondition(beatLabels.count == beatFrames.count, "one label per beat")
        guard let firstLabel = beatLabels.first else { return [EditLabel](repeating: .keep, count: frames) }
        var out = [EditLabel](repeating: firstLabel, count: frames)
        for (k, span) in EditTimeline.beatSpans(positions: beatFrames, total: frames).enumerated() {
            for t in span { out[t] = beatLabels[k] }
        }
        return out
    }

    /// The frame a time in seconds falls in (hop-length frames, as librosa's time_to_frames).
    public static func frame(of time: Double, sampleRate: Int, hop: Int) -> Int {
        Int((time * Double(sampleRate) / Double(hop)).rounded(.down))
    }
}
