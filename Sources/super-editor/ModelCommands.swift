import ArgumentParser
import Foundation
import SuperEditor

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a reconstruction checkpoint on cached features: a mel and its per-frame labels in, the edited mel out."
    )

    @Option(help: "Reconstruction checkpoint (.safetensors); its config metadata sets the model's shape.")
    var checkpoint: String
    @Option(help: "Normalised mel, (T, 128) or batched (B, T, 128), float32 .npy.")
    var mel: String
    @Option(help: "Per-frame labels, (T,) or (B, T), integer .npy.")
    var labels: String
    @Option(name: [.customLong("out"), .customShort("o")], help: "Output .npy (written atomically).")
    var out: String

    func run() throws {
        do {
            let result = try FeatureInference.reconstruct(checkpoint: URL(fileURLWithPath: checkpoint),
                                                          mel: URL(fileURLWithPath: mel), labels: URL(fileURLWithPath: labels))
            try NPY.write(result, to: URL(fileURLWithPath: out))
            print("wrote \(out) \(result.shape)")
        } catch {
            throw failure(error)
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Greedy per-frame labels from a policy checkpoint for a cached mel."
    )

    @Option(help: "Policy checkpoint (.safetensors).")
    var policy: String
    @Option(help: "Normalised mel, (T, 128) or (B, T, 128), float32 .npy.")
    var mel: String
    @Option(name: [.customLong("out"), .customShort("o")], help: "Output labels .npy (int64).")
    var out: String
    @Option(help: "Also write the masked logits (PAD is -inf) to this .npy.")
    var logitsOut: String?

    func run() throws {
        do {
            let (labels, logits) = try FeatureInference.predict(policy: URL(fileURLWithPath: policy), mel: URL(fileURLWithPath: mel))
            try NPY.write(labels, to: URL(fileURLWithPath: out))
            if let logitsOut { try NPY.write(logits, to: URL(fileURLWithPath: logitsOut)) }
            print("wrote \(out) \(labels.shape)")
        } catch {
            throw failure(error)
        }
    }
}
