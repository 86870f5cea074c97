import Tensor
import AudioDSP
import Foundation
import NN

/// One synthetic (raw, edited) pair with its true labels. The edited track is exactly the
/// true labels applied to the raw one by `WaveformEditor`.
public struct SynthPair: Sendable {
    public var id: String
    public var raw: [Float]
    public var edited: [Float]
    public var truth: SynthTruth

    /// Pair `index` of a run seeded with `seed`, edited in `style`; its length is drawn from `seconds`.
    public static func generate(seed: UInt64, index: Int, seconds: ClosedRange<Double>, style: EditingStyle = .guide,
                                sampleRate: Int = AudioFile.defaultSampleRate) -> SynthPair {
        var rng = SeededRandom(seed: seed, index: index)
        let target = rng.uniform(seconds.lowerBound, seconds.upperBound)
        let plan = SyntheticMusic.plan(seconds: target, sampleRate: sampleRate, rng: &rng)
        let raw = SyntheticMusic.render(plan, rng: &rng)
        let decision = style.decide(plan: plan, raw: raw)
        // Truth beats are the grid beats that start inside the file.
        let beatTimes = (0..<plan.beatCount).map(plan.beatTime).filter { $0 < plan.duration }
        let labels = Array(decision.labels.prefix(beatTimes.count))
        let reasons = Array(decision.reasons.prefix(beatTimes.count))
        let editor = WaveformEditor(sampleRate: sampleRate)
        let edited = editor.apply(raw, beatTimes: beatTimes, labels: labels)

        var script: [SynthTruth.Step] = []
        var k = 0
        while k < labels.count {
            var j = k + 1
            while j < labels.count && labels[j] == labels[k] && reasons[j] == reasons[k] { j += 1 }
            script.append(SynthTruth.Step(label: labels[k].name, reason: reasons[k], firstBeat: k, lastBeat: j - 1,
                                          start: k == 0 ? 0 : beatTimes[k], end: j < labels.count ? beatTimes[j] : plan.duration))
            k = j
        }
        let id = Self.id(index: index)
        let truth = SynthTruth(id: id, seed: seed, index: index, sampleRate: sampleRate, bpm: plan.bpm,
                               rawDuration: Double(raw.count) / Double(sampleRate),
                               editedDuration: Double(edited.count) / Double(sampleRate),
                               beatTimes: beatTimes, labels: labels.map(\.rawValue), labelNames: labels.map(\.name),
                               editScript: script)
        return SynthPair(id: id, raw: raw, edited: edited, truth: truth)
    }

    /// The pair's name in its folder: synth_00042 for index 42.
    public static func id(index: Int) -> String { String(format: "synth_%05d", index) }

    /// Writes `raw/{id}.wav`, `edited/{id}.wav` and `truth/{id}.json` under `directory`
    /// (16-bit WAV, every file atomically).
    public func write(to directory: URL) throws {
        let fm = FileManager.default
        for sub in ["raw", "edited", "truth"] {
            try fm.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let sr = truth.sampleRate
        try AudioFile.write(raw, sampleRate: sr, to: directory.appendingPathComponent("raw/\(id).wav"))
        try AudioFile.write(edited, sampleRate: sr, to: directory.appendingPathComponent("edited/\(id).wav"))
        try AtomicFile.write(try truth.encoded(), to: directory.appendingPathComponent("truth/\(id).json"))
    }
}
