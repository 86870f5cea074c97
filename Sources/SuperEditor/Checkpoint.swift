import Foundation
import NN
import Tensor

/// Safetensors checkpoints with `__metadata__` holding `kind`, `config` (JSON) and `step`,
/// with the reference's tensor names, so that either side loads the other's files.
public enum Checkpoint {
    public enum Kind: String, Sendable { case reconstruction, policy, value }

    public static func save(_ module: Module, kind: Kind, config: some Encodable, step: Int = 0,
                            extra: [String: String] = [:], to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(config), as: UTF8.self)
        var meta = extra
        meta["kind"] = kind.rawValue
        meta["config"] = json
        meta["step"] = String(step)
        try SafeTensors.write(module.namedParameters(), metadata: meta, to: url)
    }

    /// The metadata a training run adds to its checkpoints: `run` (its config and the like),
    /// the data it trained on and the figures of its last validation (`data`, `validation`: JSON).
    public static func trainingRecord(_ run: [String: String], data: TrainingDataSummary, validation: (some Encodable)?) -> [String: String] {
        var out = run
        out["data"] = TrainingRun.json(data)
        if let validation { out["validation"] = TrainingRun.json(validation) }
        return out
    }

    /// Reads a checkpoint and checks its kind; returns the file and its decoded config.
    public static func open<C: Decodable>(_ url: URL, kind: Kind, config: C.Type) throws -> (SafeTensors.File, C) {
        let file = try SafeTensors.read(url)
        guard let found = file.metadata["kind"] else {
            throw InputError(url.path, "checkpoint has no 'kind' in its metadata (expected '\(kind.rawValue)')")
        }
        guard found == kind.rawValue else {
            throw InputError(url.path, "checkpoint is a '\(found)' model, expected '\(kind.rawValue)'")
        }
        guard let text = file.metadata["config"], let cfg = try? JSONDecoder().decode(C.self, from: Data(text.utf8)) else {
            throw InputError(url.path, "checkpoint has no readable 'config' in its metadata")
        }
        return (file, cfg)
    }

    static func fill(_ module: Module, from file: SafeTensors.File, path: String) throws {
        do { try module.load(state: file.tensors) } catch let e as ModelStateError {
            throw InputError(path, "does not fit the model its config describes: \(e)")
        }
    }

    public static func loadReconstruction(_ url: URL) throws -> ReconstructionModel {
        let (file, cfg) = try open(url, kind: .reconstruction, config: ReconstructionConfig.self)
        let model = ReconstructionModel(cfg)
        try fill(model, from: file, path: url.path)
        return model
    }

    /// A policy of the architecture its config names (a config without one is the guide's
    /// frame-level `EditPredictor`).
    public static func loadPolicy(_ url: URL) throws -> any PolicyModel {
        let (file, cfg) = try open(url, kind: .policy, config: PredictorConfig.self)
        let model: any PolicyModel = cfg.architecture == .beat ? BeatPolicy(cfg) : EditPredictor(cfg)
        try fill(model, from: file, path: url.path)
        return model
    }

    public static func loadValue(_ url: URL) throws -> ValueNetwork {
        let (file, cfg) = try open(url, kind: .value, config: PredictorConfig.self)
        let model = ValueNetwork(cfg)
        try fill(model, from: file, path: url.path)
        return model
    }
}

/// What a checkpoint was trained on, as its `data` metadata records it.
public struct TrainingDataSummary: Codable, Sendable, Equatable {
    public var description: String?
    public var trainPairs: Int
    public var validationPairs: Int

    enum CodingKeys: String, CodingKey {
        case description, trainPairs = "train_pairs", validationPairs = "validation_pairs"
    }
}
