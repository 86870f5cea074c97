import Foundation
import NN
import Tensor

/// What a checkpoint says about itself: its kind, model config, step, the data it was trained
/// on and its validation figures (`super-editor info`).
public struct CheckpointInfo {
    public var path: String
    public var kind: String
    /// The model's config, and the training run's (`phase1_config` / `phase2_config`), as JSON.
    public var config: [String: Any]
    public var trainingConfig: [String: Any]?
    public var step: Int?
    public var data: TrainingDataSummary?
    public var validation: [String: Any]?
    /// How its CUT bias was chosen (`calibrate`), if it was.
    public var calibration: CutBiasCalibration?
    public var parameters: Int
    public var tensors: Int
    public var bytes: Int

    public init(_ url: URL) throws {
        let file = try SafeTensors.read(url)
        path = url.path
        guard let kind = file.metadata["kind"] else { throw InputError(url.path, "checkpoint has no 'kind' in its metadata") }
        self.kind = kind
        func object(_ key: String) -> [String: Any]? {
            file.metadata[key].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        guard let config = object("config") else { throw InputError(url.path, "checkpoint has no readable 'config' in its metadata") }
        self.config = config
        trainingConfig = object("phase1_config") ?? object("phase2_config")
        step = file.metadata["step"].flatMap { Int($0) }
        data = file.metadata["data"].flatMap { try? JSONDecoder().decode(TrainingDataSummary.self, from: Data($0.utf8)) }
        validation = object("validation")
        calibration = file.metadata["calibration"].flatMap { try? JSONDecoder().decode(CutBiasCalibration.self, from: Data($0.utf8)) }
        parameters = file.tensors.values.reduce(0) { $0 + $1.count }
        tensors = file.tensors.count
        bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }

    /// Everything above as one JSON object (`info --json`); absent fields are left out.
    public var jsonObject: [String: Any] {
        var obj: [String: Any] = ["path": path, "kind": kind, "config": config, "parameters": parameters, "tensors": tensors, "bytes": bytes]
        obj["step"] = step
        obj["training_config"] = trainingConfig
        obj["validation"] = validation
        obj["data"] = data.flatMap { try? JSONSerialization.jsonObject(with: JSONEncoder().encode($0)) }
        obj["calibration"] = calibration.flatMap { try? JSONSerialization.jsonObject(with: JSONEncoder().encode($0)) }
        return obj
    }

    /// The architecture a policy checkpoint holds (frame or beat); nil for other kinds.
    public var architecture: String? {
        kind == Checkpoint.Kind.policy.rawValue ? (config["architecture"] as? String ?? PolicyArchitecture.frame.rawValue) : nil
    }

    /// The headline validation figures, as (name, value text), in a fixed order.
    public var validationSummary: [(String, String)] {
        guard let v = validation else { return [] }
        func pct(_ k: String) -> String? { (v[k] as? Double).map { String(format: "%.1f%%", 100 * $0) } }
        func num(_ k: String) -> String? { (v[k] as? Double).map { String(format: "%.4f", $0) } }
        let rows: [(String, String?)] = kind == Checkpoint.Kind.reconstruction.rawValue
            ? [("L1", num("l1")), ("STFT", num("stft")), ("consistency", num("consistency")), ("KEEP preserved", pct("keep_preservation"))]
            : [("reward", num("average_reward")), ("per-beat accuracy", pct("beat_accuracy")), ("beat macro-F1", num("beat_macro_f1")),
               ("per-frame accuracy", pct("label_accuracy")), ("always-KEEP per beat", pct("beat_majority_baseline")),
               ("beat duration error", pct("beat_duration_error"))]
        return rows.compactMap { n, t in t.map { (n, $0) } }
    }
}
