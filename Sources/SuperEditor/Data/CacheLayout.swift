import Tensor
import AudioDSP
import Foundation
import NN

/// Where `prepare` puts each pair's files (the guide's cache, as the trainer reads it):
///
///     features/{id}_raw.npz, features/{id}_edit.npz   mel (T,128) f32, beat_times f64,
///                                                     db_min, db_max, sample_rate, hop_length,
///                                                     transient (T,) f32 (`TransientCrest`)
///     labels/{id}_labels.npy                          per-frame labels (T_raw,) int64
///     labels/{id}_beat_labels.npy                     per-beat labels int64
///     labels/{id}_beats.npy                           the raw beat times (s, f64) they belong to
///     aligned/{id}_target.npy                         Phase 1 target (T_raw, 128) f32
///     manifest.json                                   prepared ids, skipped pairs, settings,
///                                                     and the validation split
///
/// It is the one place that knows these paths, reads and checks a features file, and decides
/// the validation split, so every command that takes `--data` sees the same pairs on the same
/// side.
public struct CacheLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public var featuresDirectory: URL { root.appendingPathComponent("features") }
    public var labelsDirectory: URL { root.appendingPathComponent("labels") }
    public var alignedDirectory: URL { root.appendingPathComponent("aligned") }
    public var manifest: URL { root.appendingPathComponent("manifest.json") }

    public func rawFeatures(_ id: String) -> URL { featuresDirectory.appendingPathComponent("\(id)_raw.npz") }
    public func editedFeatures(_ id: String) -> URL { featuresDirectory.appendingPathComponent("\(id)_edit.npz") }
    public func frameLabels(_ id: String) -> URL { labelsDirectory.appendingPathComponent("\(id)_labels.npy") }
    public func beatLabels(_ id: String) -> URL { labelsDirectory.appendingPathComponent("\(id)_beat_labels.npy") }
    public func beats(_ id: String) -> URL { labelsDirectory.appendingPathComponent("\(id)_beats.npy") }
    public func alignedTarget(_ id: String) -> URL { alignedDirectory.appendingPathComponent("\(id)_target.npy") }
    /// How well the alignment explained the pair (`LabelInference.AlignmentQuality`, JSON).
    public func alignment(_ id: String) -> URL { alignedDirectory.appendingPathComponent("\(id)_alignment.json") }

    /// Every file of one pair, the feature files first.
    public func files(_ id: String) -> [URL] {
        [rawFeatures(id), editedFeatures(id), frameLabels(id), beatLabels(id), beats(id), alignedTarget(id)]
    }

    /// A pair is finished when all its files exist (each is written atomically).
    public func isComplete(_ id: String) -> Bool {
        files(id).allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
    }

    // MARK: The validation split

    /// The share of pairs `prepare` puts in validation unless told otherwise.
    public static let defaultValidationFraction = 0.1

    /// The validation fraction stored in the manifest (`validation_fraction`); the default for a
    /// cache without one (made by hand, or before the split was stored).
    public func validationFraction() throws -> Double {
        guard FileManager.default.fileExists(atPath: manifest.path) else { return Self.defaultValidationFraction }
        guard let data = try? Data(contentsOf: manifest),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError(manifest.path, "not a JSON object")
        }
        guard let value = object["validation_fraction"] else { return Self.defaultValidationFraction }
        guard let f = value as? Double, f >= 0, f < 1 else { throw InputError(manifest.path, "validation_fraction must be a number in [0, 1)") }
        return f
    }

    /// Pairs split by a hash of their id, so a pair stays on its side whatever else is in the
    /// cache. With two or more pairs, at least one goes to validation (when the fraction is
    /// above 0) and at least one to training.
    public static func split(_ ids: [String], validationFraction: Double) -> (train: [String], validation: [String]) {
        var val: [String] = [], train: [String] = []
        for id in ids.sorted() {
            if Double(stableHash(id) % 10_000) / 10_000 < validationFraction { val.append(id) } else { train.append(id) }
        }
        if val.isEmpty && ids.count >= 2 && validationFraction > 0 { val.append(train.removeLast()) }
        if train.isEmpty { train = val }
        return (train, val)
    }

    /// FNV-1a of the id's bytes: stable across runs and machines, unlike `hashValue`.
    static func stableHash(_ s: String) -> UInt64 { FNV1a.hash(s) }

    /// Ids whose training files (both features, labels, aligned target) are all present.
    public func trainablePairs() throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw InputError(root.path, "no such cache folder")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: featuresDirectory.path) else {
            throw InputError(root.path, "not a prepared cache (no features/ folder; run `super-editor prepare`)")
        }
        return names.filter { $0.hasSuffix("_raw.npz") }.map { String($0.dropLast("_raw.npz".count)) }
            .filter { isComplete($0) }
            .sorted()
    }

    // MARK: Feature files

    /// Reads a features `.npz` and checks it once for every reader: a finite 2-D `mel` with
    /// `nMels` bands (any, when nil), finite `db_min` ≤ `db_max`, positive sample rate and hop.
    public static func readFeatures(_ url: URL, nMels: Int? = nil) throws -> AudioFeatures {
        let npz = try NPZ.read(url)
        func need(_ key: String) throws -> NPYArray {
            guard let a = npz[key] else { throw InputError(url.path, "missing array '\(key)'") }
            return a
        }
        let melArr = try need("mel")
        guard melArr.shape.count == 2, melArr.shape[0] > 0, melArr.shape[1] > 0, nMels.map({ melArr.shape[1] == $0 }) ?? true else {
            throw InputError(url.path, "'mel' must have shape (frames, \(nMels.map(String.init) ?? "n_mels")) with frames > 0, got \(melArr.shape)")
        }
        let mel = melArr.floats()
        if mel.contains(where: { !$0.isFinite }) { throw InputError(url.path, "'mel' contains NaN or infinite values") }
        guard let dbMin = try need("db_min").scalarValue, let dbMax = try need("db_max").scalarValue,
              dbMin.isFinite, dbMax.isFinite, dbMax >= dbMin else {
            throw InputError(url.path, "'db_min'/'db_max' must be finite scalars with db_min <= db_max")
        }
        let srValue = npz["sample_rate"]?.scalarValue ?? Double(AudioFile.defaultSampleRate)
        let hopValue = npz["hop_length"]?.scalarValue ?? 512
        // Checked as Doubles: a NaN or huge value would trap when made an Int.
        guard srValue >= 1, srValue <= 10_000_000, hopValue >= 1, hopValue <= 10_000_000 else {
            throw InputError(url.path, "invalid sample_rate \(srValue) or hop_length \(hopValue)")
        }
        let sr = Int(srValue), hop = Int(hopValue)
        let beatTimes = npz["beat_times"]?.doubles() ?? []
        try InputLimits.current.checkBeatTimes(beatTimes, file: url.path)
        // Caches from before the transient measure have none; the click feature is then 0.
        var transient: [Float] = []
        if let t = npz["transient"] {
            guard t.shape == [melArr.shape[0]] else {
                throw InputError(url.path, "'transient' must have shape [\(melArr.shape[0])] (one value per mel frame), got \(t.shape)")
            }
            transient = t.floats()
            if transient.contains(where: { !$0.isFinite }) { throw InputError(url.path, "'transient' contains NaN or infinite values") }
        }
        return AudioFeatures(mel: mel, frames: melArr.shape[0], nMels: melArr.shape[1], beatTimes: beatTimes,
                             beatFrames: beatTimes.map { Int(($0 * Double(sr) / Double(hop)).rounded()) }, tempo: 0,
                             dbMin: Float(dbMin), dbMax: Float(dbMax), sampleRate: sr, hopLength: hop, transient: transient)
    }

    /// The cache's folders.
    public var directories: [URL] { [root, featuresDirectory, labelsDirectory, alignedDirectory] }

    public func createDirectories() throws {
        for dir in directories {
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw InputError(dir.path, "cannot create folder (\(error.localizedDescription))")
            }
        }
    }

    /// Writes a features `.npz` (what `super-editor features` and `prepare` write; atomically),
    /// the counterpart of `readFeatures`.
    public static func writeFeatures(_ f: AudioFeatures, to url: URL) throws {
        var arrays: [String: NPYArray] = [
            "mel": NPYArray(f.mel, shape: [f.frames, f.nMels]),
            "beat_times": NPYArray(f.beatTimes, shape: [f.beatTimes.count]),
            "db_min": .scalar(f.dbMin),
            "db_max": .scalar(f.dbMax),
            "sample_rate": .scalar(Int64(f.sampleRate)),
            "hop_length": .scalar(Int64(f.hopLength)),
        ]
        if !f.transient.isEmpty { arrays["transient"] = NPYArray(f.transient, shape: [f.transient.count]) }
        try NPZ.write(arrays, to: url)
    }

    /// A beat-times `.npy` (the cache's, or `predict --beats`): floats in seconds on one axis,
    /// held to the process's `InputLimits` (count, and each time within the audio limit).
    public static func readBeatTimes(_ url: URL) throws -> [Double] {
        let times = try NPY.read(url)
        guard times.shape.count == 1, [.float64, .float32].contains(times.dtype) else {
            throw InputError(url.path, "beat times must be a 1-D float array of seconds, got \(times.dtype.rawValue) \(times.shape)")
        }
        let values = times.doubles()
        try InputLimits.current.checkBeatTimes(values, file: url.path)
        return values
    }

    /// A labels `.npy` of the cache (per frame or per beat): integers, one axis, `count` long
    /// when given, every value an edit action (not PAD).
    public static func readLabels(_ url: URL, count: Int? = nil) throws -> [EditLabel] {
        let array = try NPY.read(url)
        guard [.int64, .int32].contains(array.dtype), array.shape.count == 1 else {
            throw InputError(url.path, "labels must be a 1-D int64 or int32 array, got \(array.dtype.rawValue) \(array.shape)")
        }
        if let count, array.shape[0] != count {
            throw InputError(url.path, "labels have shape \(array.shape), expected [\(count)]")
        }
        return try array.ints().map { v in
            guard let l = EditLabel(rawValue: v), l != .pad else {
                throw InputError(url.path, "label \(v) is not one of the \(EditLabel.actions.count) edit actions")
            }
            return l
        }
    }
}
