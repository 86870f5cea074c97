import AudioDSP
import Foundation
import NN
import Tensor

/// The `prepare` pipeline: pairs raw and edited files by name, extracts both sides'
/// features, infers the labels, and writes the cache (`CacheLayout`) so that training runs
/// no DTW. Pairs run in parallel, one per core; a pair that cannot be used is skipped with
/// its reason and never stops the others; finished pairs are skipped on a re-run.
public struct Prepare: Sendable {
    public static let audioExtensions: Set<String> = ["wav", "flac", "ogg", "mp3", "oga", "opus", "aif", "aiff"]

    /// Shorter raw tracks are skipped (seconds).
    public var minimumSeconds: Double = 2
    /// A track whose peak is below this is "silent".
    public var silencePeak: Float = 1e-4
    public var inference = LabelInference()
    /// The validation split stored in the manifest for every command that reads the cache.
    /// Nil keeps the cache's stored one (the default for a new cache).
    public var validationFraction: Double?
    /// Train on pairs whose edit the label vocabulary does not explain (`LabelInference.explains`)
    /// instead of skipping them.
    public var keepUnexplained = false
    /// Prepare only this part of the pairs (`PrepareShard`); its report goes to the part's
    /// own manifest, and a later run without a shard writes the whole cache's.
    public var shard: PrepareShard?

    public init() {}

    public struct Skipped: Codable, Sendable, Equatable {
        public var id: String
        public var reason: String
    }

    public struct Report: Sendable {
        /// Pairs prepared in this run.
        public var prepared: [String] = []
        /// Pairs already complete in the cache.
        public var alreadyDone: [String] = []
        public var skipped: [Skipped] = []
        /// How well the alignment explained each pair prepared in this run.
        public var alignment: [String: LabelInference.AlignmentQuality] = [:]
        public var seconds: Double = 0
        public var summary: String {
            "prepared \(prepared.count), already in cache \(alreadyDone.count), skipped \(skipped.count) (\(String(format: "%.1f", seconds)) s)"
        }
    }

    /// Audio files of a folder by id (file name without extension). Throws for a missing folder.
    public static func audioFiles(in dir: URL) throws -> [String: URL] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) else {
            throw InputError(dir.path, "no such folder")
        }
        guard isDir.boolValue else { throw InputError(dir.path, "not a folder") }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir.path) } catch {
            throw InputError(dir.path, "cannot list folder (\(error.localizedDescription))")
        }
        var out: [String: URL] = [:]
        for name in names where !name.hasPrefix(".") {
            let url = dir.appendingPathComponent(name)
            guard audioExtensions.contains(url.pathExtension.lowercased()) else { continue }
            out[url.deletingPathExtension().lastPathComponent] = url
        }
        return out
    }

    /// Runs the whole pipeline. `progress` reports on stderr.
    public func run(raw rawDir: URL, edited editedDir: URL, cache: URL, progress: Bool = true) throws -> Report {
        let start = Date()
        let raws = try Self.audioFiles(in: rawDir), edits = try Self.audioFiles(in: editedDir)
        let layout = CacheLayout(root: cache)
        let stored = FileManager.default.fileExists(atPath: layout.manifest.path) ? try layout.validationFraction() : nil
        if let f = validationFraction, !(0..<1).contains(f) { throw InputError(cache.path, "validation fraction must be in [0, 1), got \(f)") }
        if let stored, let f = validationFraction, f != stored {
            throw InputError(layout.manifest.path, "the cache's validation split is \(stored); a different one would move pairs that trained models may have seen")
        }
        let fraction = validationFraction ?? stored ?? CacheLayout.defaultValidationFraction
        try layout.createDirectories()
        for dir in layout.directories { AtomicFile.removeStaleTemporaries(in: dir) }
        var report = Report()
        let inShard = { (id: String) in shard?.holds(id) ?? true }
        for id in raws.keys.sorted() where edits[id] == nil && inShard(id) {
            report.skipped.append(Skipped(id: id, reason: "\(raws[id]!.path): no edited partner in \(editedDir.path)"))
        }
        for id in edits.keys.sorted() where raws[id] == nil && inShard(id) {
            report.skipped.append(Skipped(id: id, reason: "\(edits[id]!.path): no raw partner in \(rawDir.path)"))
        }
        let ids = raws.keys.filter { edits[$0] != nil && inShard($0) }.sorted()
        var todo: [String] = []
        for id in ids {
            if layout.isComplete(id) { report.alreadyDone.append(id) } else { todo.append(id) }
        }
        let bar = progress && !todo.isEmpty ? PairProgress(total: todo.count, label: "prepare") : nil
        if progress { for s in report.skipped { FileHandle.standardError.write(Data("skipped \(s.id): \(s.reason)\n".utf8)) } }

        let outcomes = parallelMap(todo.count) { k -> Result<LabelInference.AlignmentQuality, Error> in
            let id = todo[k]
            let outcome = Result { try preparePair(id: id, raw: raws[id]!, edited: edits[id]!, layout: layout) }
            if case .failure(let e) = outcome { bar?.step("skipped \(id): \(Self.describe(e))") } else { bar?.step() }
            return outcome
        }
        for (id, outcome) in zip(todo, outcomes) {
            switch outcome {
            case .success(let quality): report.prepared.append(id); report.alignment[id] = quality
            case .failure(let e): report.skipped.append(Skipped(id: id, reason: Self.describe(e)))
            }
        }
        report.skipped.sort { $0.id < $1.id }
        report.seconds = Date().timeIntervalSince(start)
        try writeManifest(layout: layout, report: report, validationFraction: fraction)
        return report
    }

    /// One pair: features of both sides, labels, the aligned target. Files are written
    /// atomically, the aligned target last, so a pair is complete only when all exist.
    @discardableResult
    public func preparePair(id: String, raw: URL, edited: URL, layout: CacheLayout) throws -> LabelInference.AlignmentQuality {
        let extractor = FeatureExtractor()
        let rawAudio = try AudioFile.load(raw, sampleRate: extractor.mel.sampleRate)
        let editAudio = try AudioFile.load(edited, sampleRate: extractor.mel.sampleRate)
        for (audio, url) in [(rawAudio, raw), (editAudio, edited)] {
            if audio.duration < minimumSeconds {
                throw InputError(url.path, String(format: "too short (%.2f s, need at least %.1f s)", audio.duration, minimumSeconds))
            }
            let peak = audio.samples.reduce(Float(0)) { max($0, abs($1)) }
            if peak < silencePeak { throw InputError(url.path, "silent (peak \(peak))") }
        }
        let rawF = try extractor.extract(rawAudio.samples, source: raw.path)
        let editF = try extractor.extract(editAudio.samples, source: edited.path)
        let result = try inference.infer(raw: rawF, edited: editF, rawName: raw.path)
        if !keepUnexplained && !inference.explains(result) {
            throw InputError(edited.path, String(format: "edit not explained by the label vocabulary: only %.0f%% of its frames match the raw (median cost %.1f dB; another take or a remix?); --keep-unexplained trains on it anyway",
                                                 100 * result.alignment.matched, result.alignment.medianCost))
        }
        let frameLabels = FrameLabels.expand(beatLabels: result.labels, beatFrames: result.beatFrames, frames: rawF.frames)
        let target = AlignedTarget.build(path: result.path, frameLabels: frameLabels, editedMel: editF.mel,
                                         editedFrames: editF.frames, dims: editF.nMels)
        try CacheLayout.writeFeatures(rawF, to: layout.rawFeatures(id))
        try CacheLayout.writeFeatures(editF, to: layout.editedFeatures(id))
        try NPY.write(NPYArray(frameLabels.map { Int64($0.rawValue) }), to: layout.frameLabels(id))
        try NPY.write(NPYArray(result.labels.map { Int64($0.rawValue) }), to: layout.beatLabels(id))
        try NPY.write(NPYArray(result.beatTimes), to: layout.beats(id))
        try AtomicFile.write(Data(TrainingRun.json(result.alignment).utf8), to: layout.alignment(id))
        try NPY.write(NPYArray(target, shape: [rawF.frames, rawF.nMels]), to: layout.alignedTarget(id))
        return result.alignment
    }

    func writeManifest(layout: CacheLayout, report: Report, validationFraction: Double) throws {
        let settings: [String: Any] = [
            "sample_rate": AudioFile.defaultSampleRate, "hop_length": 512, "n_fft": 2048, "n_mels": 128,
            "min_seconds": minimumSeconds,
            "label_inference": [
                "jump_penalty": Double(inference.alignment.jumpPenalty), "cut_below": inference.cutBelow,
                "loop_from": inference.loopFrom, "effect_tilt_db": Double(inference.effectTilt),
                "fade_gain_db": Double(inference.fadeGain), "fade_edge_db": Double(inference.fadeEdge),
                "low_pass_range_db": Double(inference.lowPassRange), "transition_shape_db": Double(inference.transitionShape),
                "matched_below_db": Double(inference.matchedBelow), "minimum_matched": inference.minimumMatched,
                "keep_unexplained": keepUnexplained,
            ],
        ]
        var alignment: [String: Any] = [:]
        for id in report.prepared + report.alreadyDone {
            if let data = try? Data(contentsOf: layout.alignment(id)), let q = try? JSONSerialization.jsonObject(with: data) { alignment[id] = q }
        }
        var object: [String: Any] = [
            "prepared": (report.prepared + report.alreadyDone).sorted(),
            "alignment": alignment,
            "skipped": report.skipped.map { ["id": $0.id, "reason": $0.reason] },
            "settings": settings,
            "validation_fraction": validationFraction,
        ]
        if let shard { object["shard"] = shard.description }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: shard?.manifest(in: layout) ?? layout.manifest)
    }

    static func describe(_ error: Error) -> String { InputError.line(for: error) }
}
