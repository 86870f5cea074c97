import AudioDSP
import Foundation
import SuperEditor
import Tensor

/// One recording open in the studio: its analysis, the labels as the user has corrected them
/// (with undo and redo), and the output rendered from them through the library's pipeline
/// (`EditPipeline.run` for the policy's edit, `EditPipeline.apply` for corrected labels).
/// An actor, so requests from any number of connections see and change it one at a time; the
/// pipeline itself runs on the `StudioWorker`, and the actor is free while it does.
public actor StudioSession {
    public nonisolated let id: String
    public nonisolated let name: String
    /// The recording: a file the studio was started with, or an upload stored in `folder`.
    public nonisolated let source: URL
    /// This session's own folder inside the studio's session folder.
    public nonisolated let folder: URL
    private let worker: StudioWorker
    private let progress = StudioProgress()

    private var status = "analysing"
    private var error: String?
    private var result: Handoff<EditPipeline.Result>?
    private var starts: [Double] = [], ends: [Double] = []
    private var confidence: [Double] = []
    private var labels: [EditLabel] = []
    private var history = LabelHistory()
    private var version = 0, renderedVersion = 0
    private var targetDuration: Double?, slack = 1.0, keep: [ClosedRange<Double>] = []
    private var inputPeaks: [Float] = [], outputPeaks: [Float] = []
    private var outputFile: String?
    private var analysis: Task<Void, Never>?
    private var renderTask: Task<Void, Never>?

    static let inputFile = "input.wav", melFile = "mel.png"

    init(id: String, name: String, source: URL, folder: URL, worker: StudioWorker) {
        self.id = id
        self.name = name
        self.source = source
        self.folder = folder
        self.worker = worker
    }

    /// Starts the analysis (mel, beats, the policy's labels, the first render) in the background.
    func startAnalysis() {
        guard analysis == nil else { return }
        analysis = Task { await self.analyse() }
    }

    private func analyse() async {
        let source = self.source, folder = self.folder, progress = self.progress
        do {
            let out = try await worker.run { w -> Handoff<(EditPipeline.Result, Rendered)> in
                var pipeline = EditPipeline()
                pipeline.progress = { stage, done in progress.set(stage, done) }
                let r = try pipeline.run(input: source, policy: w.policy, reconstruction: w.reconstruction)
                try AudioFile.write(r.input.samples, sampleRate: r.sampleRate, to: folder.appendingPathComponent(Self.inputFile))
                try StudioPictures.mel(r.features).writePNG(to: folder.appendingPathComponent(Self.melFile))
                return Handoff(value: (r, try Self.writeOutput(r, version: 0, in: folder)))
            }
            let (r, rendered) = out.value
            inputPeaks = StudioPictures.peaks(r.input.samples)
            starts = r.beatStartTimes
            ends = r.beatEndTimes
            labels = r.labels
            confidence = r.probabilities
            show(r, rendered, version: 0)
            status = "ready"
        } catch {
            status = "failed"
            self.error = InputError.line(for: error, file: source.path)
        }
    }

    /// What a render leaves in the session folder: the output WAV and its waveform.
    struct Rendered { var file: String; var peaks: [Float] }

    /// Each write gets its own name (a render and an edit can work on the same version at
    /// once), so a later write never replaces the audio another result shows.
    private static func writeOutput(_ r: EditPipeline.Result, version: Int, in folder: URL) throws -> Rendered {
        let file = "output-\(version)-\(UUID().uuidString.prefix(8).lowercased()).wav"
        try AudioFile.write(r.audio, sampleRate: r.sampleRate, to: folder.appendingPathComponent(file))
        return Rendered(file: file, peaks: StudioPictures.peaks(r.audio))
    }

    /// Makes `r` the output on show, and removes the output files of older versions.
    private func show(_ r: EditPipeline.Result, _ rendered: Rendered, version v: Int) {
        let old = outputFile
        result = Handoff(value: r)
        outputFile = rendered.file
        outputPeaks = rendered.peaks
        renderedVersion = v
        if let old, old != rendered.file { try? FileManager.default.removeItem(at: folder.appendingPathComponent(old)) }
    }

    // MARK: Changes

    private func requireReady() throws {
        switch status {
        case "failed": throw StudioError.conflict("\(name): \(error ?? "analysis failed")")
        case "analysing": throw StudioError.conflict("\(name): still being analysed")
        default: break
        }
    }

    /// Sets one label on the beats a change names; refuses an unknown label or a beat out of range.
    func change(_ c: LabelChange) throws -> StudioState {
        try requireReady()
        guard let label = EditLabel(name: c.label), label != .pad else {
            throw StudioError.badRequest("unknown label '\(c.label)' (use \(EditLabel.actions.map(\.name).joined(separator: ", ")))")
        }
        var beats = c.beats ?? []
        if let from = c.from {
            let to = c.to ?? from
            guard from <= to else { throw StudioError.badRequest("beat range \(from)…\(to) runs backwards") }
            guard from >= 0, to < labels.count else { throw outOfRange(from < 0 ? from : to) }
            beats += Array(from...to)
        }
        guard !beats.isEmpty else { throw StudioError.badRequest("no beats given: send \"beats\": [i, …] or \"from\"/\"to\"") }
        if let bad = beats.first(where: { !labels.indices.contains($0) }) { throw outOfRange(bad) }
        var next = labels
        for b in beats { next[b] = label }
        if next != labels { commit(next) }
        return state()
    }

    private func outOfRange(_ b: Int) -> StudioError {
        StudioError.badRequest("beat \(b) is out of range (the recording has beats 0…\(labels.count - 1))")
    }

    private func commit(_ next: [EditLabel]) {
        history.record(labels)
        labels = next
        version += 1
        scheduleRender()
    }

    func undo() throws -> StudioState { try step(back: true) }
    func redo() throws -> StudioState { try step(back: false) }

    private func step(back: Bool) throws -> StudioState {
        try requireReady()
        guard let restored = history.step(back: back, from: labels) else { throw StudioError.conflict(back ? "nothing to undo" : "nothing to redo") }
        labels = restored
        version += 1
        scheduleRender()
        return state()
    }

    /// Renders the current labels with `EditPipeline.apply`, again while they keep changing,
    /// until the output is the latest labels'.
    private func scheduleRender() {
        guard renderTask == nil else { return }
        renderTask = Task { await self.renderLoop() }
    }

    private func renderLoop() async {
        while renderedVersion < version {
            let v = version, source = self.source, folder = self.folder, progress = self.progress
            let beats = zip(zip(starts, ends), labels).map { EditExports.BeatLabel(start: $0.0.0, end: $0.0.1, label: $0.1.name) }
            do {
                let out = try await worker.run { _ -> Handoff<(EditPipeline.Result, Rendered)> in
                    var pipeline = EditPipeline()
                    pipeline.progress = { stage, done in progress.set(stage, done) }
                    let r = try pipeline.apply(labels: beats, to: source, reconstruction: nil)
                    return Handoff(value: (r, try Self.writeOutput(r, version: v, in: folder)))
                }
                if v > renderedVersion { show(out.value.0, out.value.1, version: v) }
                error = nil
            } catch {
                self.error = InputError.line(for: error, file: source.path)
                renderedVersion = max(renderedVersion, v)
            }
        }
        renderTask = nil
    }

    /// The policy's edit again, with a target duration and regions never cut (`EditPipeline.run`);
    /// a target that cannot be reached is an `InputError` and changes nothing.
    func edit(_ request: EditRequest) async throws -> StudioState {
        try requireReady()
        if let t = request.targetDuration, !(t.isFinite && t > 0) { throw StudioError.badRequest("targetDuration must be a positive number of seconds") }
        let slack = request.slack ?? self.slack
        guard slack.isFinite, slack >= 0 else { throw StudioError.badRequest("slack must be a number of seconds ≥ 0") }
        let keep: [ClosedRange<Double>] = try (request.keep ?? []).map {
            guard $0.count == 2, $0[0].isFinite, $0[1].isFinite, $0[0] <= $0[1] else {
                throw StudioError.badRequest("keep regions are [start, end] pairs of seconds with start ≤ end")
            }
            return $0[0]...$0[1]
        }
        let source = self.source, folder = self.folder, progress = self.progress, target = request.targetDuration
        status = "rendering"
        defer { status = "ready" }
        let v = version + 1
        let out = try await worker.run { w -> Handoff<(EditPipeline.Result, Rendered)> in
            var pipeline = EditPipeline()
            pipeline.targetDuration = target
            pipeline.slack = slack
            pipeline.keep = keep
            pipeline.progress = { stage, done in progress.set(stage, done) }
            let r = try pipeline.run(input: source, policy: w.policy, reconstruction: w.reconstruction)
            return Handoff(value: (r, try Self.writeOutput(r, version: v, in: folder)))
        }
        let (r, rendered) = out.value
        targetDuration = target
        self.slack = slack
        self.keep = keep
        history.record(labels)
        labels = r.labels
        confidence = r.probabilities
        version = max(v, version + 1)
        show(r, rendered, version: version)
        return state()
    }

    // MARK: Reading

    /// Waits until the analysis is done and the output is the current labels'.
    func rendered() async throws -> EditPipeline.Result {
        await analysis?.value
        while renderedVersion < version, let task = renderTask { await task.value }
        try requireReady()
        guard let result else { throw StudioError.conflict("\(name): no output yet") }
        return result.value
    }

    func state() -> StudioState {
        let r = result?.value
        let (stage, fraction) = progress.get()
        let busy = status == "ready" && renderedVersion < version ? "rendering" : status
        return StudioState(
            id: id, name: name, status: busy, stage: stage, progress: fraction, error: error,
            version: version, renderedVersion: renderedVersion, sampleRate: r?.sampleRate ?? 0,
            inputDuration: r?.input.duration ?? 0,
            outputDuration: r.map { Double($0.audio.count) / Double($0.sampleRate) } ?? 0,
            beats: labels.indices.map { StudioState.Beat(start: starts[$0], end: ends[$0], label: labels[$0].name, confidence: confidence[$0]) },
            keptRanges: r.map { TimelineExports.keptRanges($0).map { [$0.lowerBound, $0.upperBound] } } ?? [],
            inputPeaks: inputPeaks, outputPeaks: outputPeaks,
            inputFile: r == nil ? nil : Self.inputFile, melFile: r == nil ? nil : Self.melFile, outputFile: outputFile,
            targetDuration: targetDuration, slack: slack, keep: keep.map { [$0.lowerBound, $0.upperBound] },
            canUndo: !history.undo.isEmpty, canRedo: !history.redo.isEmpty)
    }

    var summary: SessionSummary { SessionSummary(id: id, name: name, status: status) }

    /// Waits for the work in flight, so the folder can go.
    func settle() async {
        await analysis?.value
        while let task = renderTask { await task.value }
    }
}

/// The pipeline's latest (stage, fraction done), written from the worker and read by requests.
final class StudioProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var stage = "analyse", fraction = 0.0
    func set(_ s: String, _ f: Double) { lock.lock(); stage = s; fraction = f; lock.unlock() }
    func get() -> (String, Double) { lock.lock(); defer { lock.unlock() }; return (stage, fraction) }
}

/// Undo and redo of label changes: the labels before each change, and those undone.
struct LabelHistory {
    var undo: [[EditLabel]] = [], redo: [[EditLabel]] = []

    /// Before a change: `current` can come back with undo; what was undone can no longer be redone.
    mutating func record(_ current: [EditLabel]) {
        undo.append(current)
        redo.removeAll()
    }

    /// Undo (`back`) or redo from `current`: the labels that come back, or nil when there are none.
    mutating func step(back: Bool, from current: [EditLabel]) -> [EditLabel]? {
        guard let restored = back ? undo.popLast() : redo.popLast() else { return nil }
        if back { redo.append(current) } else { undo.append(current) }
        return restored
    }
}
