import AudioDSP
import Foundation
import NN

/// Where `prepare` puts each pair's files (the guide's cache, as the trainer reads it):
///
///     features/{id}_raw.npz, features/{id}_edit.npz   mel (T,128) f32, beat_times f64,
///                                                     db_min, db_max, sample_rate, hop_length
///     labels/{id}_labels.npy                          per-frame labels (T_raw,) int64
///     labels/{id}_beat_labels.npy                     per-beat labels int64
///     labels/{id}_beats.npy                           the raw beat times (s, f64) they belong to
///     aligned/{id}_target.npy                         Phase 1 target (T_raw, 128) f32
///     manifest.json                                   prepared ids, skipped pairs, settings
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

    /// Every file of one pair, the feature files first.
    public func files(_ id: String) -> [URL] {
        [rawFeatures(id), editedFeatures(id), frameLabels(id), beatLabels(id), beats(id), alignedTarget(id)]
    }

    /// A pair is finished when all its files exist (each is written atomically).
    public func isComplete(_ id: String) -> Bool {
        files(id).allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
    }

    public func createDirectories() throws {
        for dir in [root, featuresDirectory, labelsDirectory, alignedDirectory] {
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw InputError(dir.path, "cannot create folder (\(error.localizedDescription))")
            }
        }
    }

    /// The arrays of a features `.npz`, as `super-editor features` writes them.
    public static func featureArrays(_ f: AudioFeatures) -> [String: NPYArray] {
        [
            "mel": NPYArray(f.mel, shape: [f.frames, f.nMels]),
            "beat_times": NPYArray(f.beatTimes, shape: [f.beatTimes.count]),
            "db_min": .scalar(f.dbMin),
            "db_max": .scalar(f.dbMax),
            "sample_rate": .scalar(Int64(f.sampleRate)),
            "hop_length": .scalar(Int64(f.hopLength)),
        ]
    }
}
