import Tensor
import Foundation
import NN

/// A run folder, for both trainers: the names of its files, the one effective config (resolved
/// with the command line's overrides before anything is built, and saved once as
/// `config.json`), the rules for starting and resuming, and the save-after-validation step.
///
///     config.json                    the effective config of the run
///     last.safetensors               the newest checkpoint (+ last.state.safetensors)
///     best.safetensors               the best validation so far (+ best.state.safetensors)
///     value_last/best.safetensors    Phase 2's value network beside its policy
///     metrics.jsonl, events.out.tfevents.*, plots/
public struct TrainingRun: Sendable {
    public let directory: URL

    public init(_ directory: URL) { self.directory = directory }

    public var last: URL { directory.appendingPathComponent("last.safetensors") }
    public var best: URL { directory.appendingPathComponent("best.safetensors") }
    public var configFile: URL { directory.appendingPathComponent("config.json") }
    public var metrics: URL { directory.appendingPathComponent("metrics.jsonl") }

    /// The value network saved beside a policy checkpoint: `value_` + its name.
    public static func valueCheckpoint(for policy: URL) -> URL {
        policy.deletingLastPathComponent().appendingPathComponent("value_" + policy.lastPathComponent)
    }

    /// Whether a run has been saved here.
    public var holdsRun: Bool { FileManager.default.fileExists(atPath: last.path) }

    /// Resuming needs a saved run; a new run needs none, so that starting again in the same
    /// folder never overwrites one.
    /// The writer (`writer`: rank 0 of a data-parallel run) also clears what a killed run left
    /// half-written: temporaries of dead processes, and saves stopped between renames.
    public func checkStart(resume: Bool, writer: Bool = true) throws {
        if resume && !holdsRun { throw InputError(last.path, "nothing to resume (no such checkpoint)") }
        if !resume && holdsRun { throw InputError(directory.path, "already holds a run (last.safetensors); --resume continues it") }
        guard writer else { return }
        AtomicFile.removeStaleTemporaries(in: directory)
        AtomicFile.removeStaleTemporaries(in: directory.appendingPathComponent("plots"))
        try CheckpointSet.recover(in: directory)
    }

    /// The config a run trains with.
    ///
    /// A new run takes `requested` as it is. A resumed run takes the config saved in the run
    /// (`saved`); of the fields the command line set explicitly (`overrides`, by their JSON
    /// names), those in `extendable` take the requested value (for example the step count,
    /// which extends the run) and any other that differs from the saved run is refused with a
    /// one-line error, since it would silently change what the resumed run means.
    public static func effectiveConfig<C: Codable>(requested: C, saved: C?, overrides: Set<String>,
                                                    extendable: Set<String>, runPath: String) throws -> C {
        guard let saved else { return requested }
        let want = try fields(requested), have = try fields(saved)
        var merged = have
        for key in overrides.sorted() {
            guard let value = want[key] else { throw InputError(runPath, "unknown config field '\(key)'") }
            if extendable.contains(key) {
                merged[key] = value
            } else if !same(value, have[key]) {
                throw InputError(runPath, "\(key) \(describe(value)) differs from the run's \(describe(have[key])); "
                                 + "a resumed run keeps its config (start a new run to change it)")
            }
        }
        let data = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])
        return try JSONDecoder().decode(C.self, from: data)
    }

    /// Writes the effective config once, atomically, at the start of a run (and again when a
    /// resume extended it).
    public func saveConfig<C: Encodable>(_ config: C) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(Data(Self.json(config).utf8), to: configFile)
    }

    /// A config as sorted-key JSON (what checkpoints carry in their metadata).
    public static func json<C: Encodable>(_ config: C) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(config)) ?? Data(), as: UTF8.self)
    }

    /// The save step after a validation: `best` when the score improved on `bestScore` (or no
    /// best exists yet), then `last`. `setBest` gets the new best score before anything is
    /// saved, so the saved state records it (a resumed run compares with the true best).
    public func saveAfterValidation(score: Double, bestScore: Double, higherIsBetter: Bool, setBest: (Double) -> Void,
                                    save: (URL) throws -> Void) throws {
        let improved = higherIsBetter ? score > bestScore : score < bestScore
        if improved || !FileManager.default.fileExists(atPath: self.best.path) {
            setBest(score)
            try save(self.best)
        }
        try save(last)
    }

    static func fields<C: Encodable>(_ c: C) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: try JSONEncoder().encode(c))) as? [String: Any] ?? [:]
    }

    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case let (x as NSNumber, y as NSNumber): return x == y
        case let (x as String, y as String): return x == y
        case (nil, nil): return true
        default: return false
        }
    }

    static func describe(_ v: Any?) -> String { v.map { "\($0)" } ?? "(unset)" }
}
