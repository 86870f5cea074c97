import AudioDSP
import Foundation
import NN
import Tensor

/// The README's first command: the whole system on built-in synthetic data. Synthesises pairs,
/// prepares the cache, trains Phase 1 and Phase 2, evaluates both, edits a held-out raw track,
/// and writes `report.md` and `report.json` with the guide's tables.
public struct Demo {
    public struct Settings: Codable, Sendable {
        public var pairs: Int
        public var seconds: ClosedRange<Double>
        public var seed: UInt64
        public var phase1: Phase1Config
        public var phase2: Phase2Config

        /// About 10 minutes on a 2-core machine (at most 15).
        public static var full: Settings {
            // Phase 1 is the tiny preset as a user gets it, defaults and all.
            let p1 = Phase1Config.preset("tiny")!
            var p2 = Phase2Config.cpuDefault
            p2.dropout = 0
            p2.warmStartSteps = 600; p2.updates = 8; p2.validateEvery = 4
            return Settings(pairs: 80, seconds: 20...30, seed: 2024, phase1: p1, phase2: p2)
        }

        /// Under 3 minutes: fewer, shorter pairs and fewer steps.
        public static var quick: Settings {
            var s = full
            s.pairs = 24; s.seconds = 14...18
            s.phase1 = s.phase1.rescaled(toSteps: 400)
            s.phase2.warmStartSteps = 40; s.phase2.updates = 2; s.phase2.validateEvery = 2; s.phase2.batchSize = 8
            return s
        }
    }

    public let out: URL
    public let settings: Settings
    public var log: (String) -> Void = { print($0) }

    public init(out: URL, settings: Settings) {
        self.out = out
        self.settings = settings
    }

    public struct Report: Codable {
        public var settings: Settings
        public var seconds: [String: Double]
        public var labels: LabelInferenceSummary
        public var phase1: Phase1Metrics
        public var phase2: PolicyMetrics
        public var phase2Start: PolicyMetrics?
        public var edit: EditSummary
        enum CodingKeys: String, CodingKey {
            case settings, seconds, labels, phase1, phase2, edit
            case phase2Start = "phase2_after_warm_start"
        }
    }

    public struct LabelInferenceSummary: Codable { public var beatAccuracy: Double; public var frameAccuracy: Double
        enum CodingKeys: String, CodingKey { case beatAccuracy = "beat_accuracy", frameAccuracy = "frame_accuracy" } }

    public struct EditSummary: Codable {
        public var input: String
        public var output: String
        public var inputSeconds: Double
        public var outputSeconds: Double
        public var trueEditSeconds: Double
        public var beats: Int
        public var beatAccuracy: Double
        enum CodingKeys: String, CodingKey {
            case input, output, beats
            case inputSeconds = "input_seconds", outputSeconds = "output_seconds", trueEditSeconds = "true_edit_seconds"
            case beatAccuracy = "beat_accuracy"
        }
    }

    func timed<T>(_ name: String, _ seconds: inout [String: Double], _ body: () throws -> T) rethrows -> T {
        log("== \(name)")
        let t = Date()
        let r = try body()
        seconds[name] = Date().timeIntervalSince(t)
        log(String(format: "   %@ took %.0f s", name, seconds[name]!))
        return r
    }

    @discardableResult
    public func run() throws -> Report {
        let fm = FileManager.default
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        let data = out.appendingPathComponent("data"), cache = out.appendingPathComponent("cache")
        var seconds: [String: Double] = [:]
        let s = settings
        try timed("synthesise", &seconds) {
            try SynthDataset.write(count: s.pairs, seed: s.seed, seconds: s.seconds, to: data, keepExisting: true)
        }
        let prepared = try timed("prepare", &seconds) {
            try Prepare().run(raw: data.appendingPathComponent("raw"), edited: data.appendingPathComponent("edited"), cache: cache)
        }
        log("   \(prepared.summary)")
        let labelEval = try LabelEvaluation.evaluate(truth: data.appendingPathComponent("truth"), cache: cache)
        let dataset = try PairedMelDataset(cache: cache)
        log("   \(dataset.trainIDs.count) training and \(dataset.validationIDs.count) validation pairs")

        let run1 = out.appendingPathComponent("phase1")
        let phase1 = try timed("train phase 1", &seconds) { () -> Phase1Trainer in
            let t = try Phase1Trainer(config: s.phase1, dataset: dataset, out: run1,
                                      resume: TrainingRun(run1).holdsRun)
            _ = try t.run()
            return t
        }
        let recon = try Checkpoint.loadReconstruction(phase1.runFolder.best)
        let p1 = try timed("evaluate phase 1", &seconds) {
            try Phase1Report.make(model: recon, dataset: dataset, plots: out.appendingPathComponent("plots/phase1"))
        }
        log(p1.table)

        let run2 = out.appendingPathComponent("phase2")
        var afterWarm: PolicyMetrics?
        try timed("train phase 2", &seconds) {
            let t = try PolicyTraining.trainer(config: s.phase2, dataset: dataset, reconstruction: recon, out: run2,
                                               resume: TrainingRun(run2).holdsRun)
            _ = try t.run()
            afterWarm = t.warmStartValidation
        }
        let policy = try Checkpoint.loadPolicy(TrainingRun(run2).best)
        let p2 = try timed("evaluate phase 2", &seconds) {
            try PolicyEvaluation.evaluate(policy: policy, reconstruction: recon, dataset: dataset, maxSeqLen: s.phase2.maxSeqLen)
        }
        log(PolicyReport.table(p2, pairs: dataset.validationIDs.count))

        // A held-out track: a pair from another seed, never seen in training.
        let heldOut = SynthPair.generate(seed: s.seed &+ 999, index: 0, seconds: s.seconds)
        let heldDir = out.appendingPathComponent("held-out")
        try heldOut.write(to: heldDir)
        let input = heldDir.appendingPathComponent("raw/\(heldOut.id).wav")
        let result = try timed("edit held-out track", &seconds) {
            try EditPipeline().run(input: input, policy: policy, reconstruction: recon)
        }
        let edited = out.appendingPathComponent("edited.wav")
        try AudioFile.write(result.audio, sampleRate: result.sampleRate, to: edited)
        try AudioFile.write(result.input.samples, sampleRate: result.sampleRate, to: out.appendingPathComponent("raw.wav"))
        let beats = EditExports.beatLabels(result)
        try EditExports.writeJSON(beats, to: out.appendingPathComponent("labels.json"))
        try EditExports.writeText(EditExports.audacityTrack(beats), to: out.appendingPathComponent("labels-audacity.txt"))
        try EditExports.plot(result).writePNG(to: out.appendingPathComponent("edit.png"))
        let beatAccuracy = Self.beatAccuracy(predicted: beats, truth: heldOut.truth)

        let report = Report(settings: s, seconds: seconds,
                            labels: .init(beatAccuracy: labelEval.beatAccuracy, frameAccuracy: labelEval.frameAccuracy),
                            phase1: p1.metrics, phase2: p2, phase2Start: afterWarm,
                            edit: .init(input: input.path, output: edited.path, inputSeconds: result.input.duration,
                                        outputSeconds: Double(result.audio.count) / Double(result.sampleRate),
                                        trueEditSeconds: heldOut.truth.editedDuration, beats: beats.count, beatAccuracy: beatAccuracy))
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(report), to: out.appendingPathComponent("report.json"))
        try EditExports.writeText(Self.markdown(report, p1: p1, pairs: dataset.validationIDs.count), to: out.appendingPathComponent("report.md"))
        log("wrote \(out.appendingPathComponent("report.md").path)")
        return report
    }

    /// Share of true beats whose predicted label (the beat covering the true beat's time) matches.
    static func beatAccuracy(predicted: [EditExports.BeatLabel], truth: SynthTruth) -> Double {
        guard !truth.beatTimes.isEmpty else { return 0 }
        var ok = 0
        for (t, l) in zip(truth.beatTimes, truth.labelNames) {
            let mid = t + 0.05
            if let p = predicted.first(where: { $0.start <= mid && mid < $0.end }), p.label == l { ok += 1 }
        }
        return Double(ok) / Double(truth.beatTimes.count)
    }

    static func markdown(_ r: Report, p1: Phase1Report, pairs: Int) -> String {
        func ok(_ b: Bool) -> String { b ? "**met**" : "**not met**" }
        let m1 = r.phase1, m2 = r.phase2
        var s = """
        # Super Editor demo report

        Everything below was measured in this run, on synthetic data made by `super-editor synth`
        (\(r.settings.pairs) pairs of \(Int(r.settings.seconds.lowerBound))–\(Int(r.settings.seconds.upperBound)) s, seed \(r.settings.seed)).
        Times: \(r.seconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.0f s", $0.key, $0.value) }.joined(separator: ", ")).

        ## Label inference (prepare)

        Inferred per-beat labels against the generator's truth: beat accuracy \(String(format: "%.1f%%", 100 * r.labels.beatAccuracy)), frame accuracy \(String(format: "%.1f%%", 100 * r.labels.frameAccuracy)).

        ## Phase 1: reconstruction (validation split)

        | metric | value | target | |
        |---|---|---|---|
        | L1 | \(String(format: "%.4f", m1.l1)) | < 0.1 | \(ok(m1.l1 < 0.1)) |
        | STFT loss | \(String(format: "%.4f", m1.stft)) | < 1.0 | \(ok(m1.stft < 1.0)) |
        | \(m1.keepPreservationName) | \(String(format: "%.1f%%", 100 * m1.keepPreservation)) | > 95% | \(ok(m1.keepPreservation > 0.95)) |
        | consistency | \(String(format: "%.4f", m1.consistency)) | | |

        L1 per label: \(EditLabel.actions.compactMap { l in m1.perLabelL1[l.name].map { String(format: "%@ %.3f", l.name, $0) } }.joined(separator: ", ")).
        Plots: `plots/phase1/`, `phase1/plots/`.

        ## Phase 2: edit policy (validation split, greedy)

        | metric | value | target | |
        |---|---|---|---|
        | average reward | \(String(format: "%.3f", m2.averageReward)) | > 0 | \(ok(m2.averageReward > 0)) |
        | label accuracy | \(String(format: "%.1f%%", 100 * m2.labelAccuracy)) | > 70% and ≥ always-KEEP + 10 | \(ok(m2.labelAccuracy > 0.7 && m2.labelAccuracy >= m2.majorityBaseline + 0.1)) |
        | always-KEEP baseline | \(String(format: "%.1f%%", 100 * m2.majorityBaseline)) | | |
        | macro-F1 | \(String(format: "%.3f", m2.macroF1)) | > 0.6 | \(ok(m2.macroF1 > 0.6)) |
        | duration error | \(String(format: "%.1f%%", 100 * m2.durationError)) | < 10% | \(ok(m2.durationError < 0.1)) |
        | per-beat accuracy | \(String(format: "%.1f%%", 100 * m2.beatAccuracy)) (always-KEEP \(String(format: "%.1f%%", 100 * m2.beatMajorityBaseline))) | | |
        | per-beat macro-F1 | \(String(format: "%.3f", m2.beatMacroF1)) | | |

        | label | precision | recall | F1 | frames | beat recall | beats |
        |---|---|---|---|---|---|---|

        """
        for l in EditLabel.actions {
            if let c = m2.perClass[l.name], let b = m2.beatPerClass[l.name] {
                s += String(format: "| %@ | %.3f | %.3f | %.3f | %d | %.3f | %d |\n", l.name, c.precision, c.recall, c.f1, c.support, b.recall, b.support)
            }
        }
        s += """

        ## Edit of a held-out track

        `\(r.edit.input)` (\(String(format: "%.1f", r.edit.inputSeconds)) s) → `edited.wav` (\(String(format: "%.1f", r.edit.outputSeconds)) s; the true edit is \(String(format: "%.1f", r.edit.trueEditSeconds)) s), \(r.edit.beats) beats, per-beat accuracy against the true labels \(String(format: "%.1f%%", 100 * r.edit.beatAccuracy)).
        Listen to `raw.wav` and `edited.wav`; the labels are in `labels.json` and `labels-audacity.txt` (File → Import → Labels in Audacity), the picture in `edit.png`.

        """
        return s
    }
}
