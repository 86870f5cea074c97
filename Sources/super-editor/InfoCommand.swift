import ArgumentParser
import Foundation
import SuperEditor

struct Info: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a checkpoint's kind, config, step, the data it was trained on and its validation figures.",
        discussion: "With no checkpoint: the shipped models that `edit` uses by default."
    )

    @Argument(help: "Checkpoints (.safetensors); none for the shipped models.") var checkpoints: [String] = []
    @Flag(help: "One JSON object per checkpoint, one per line.") var json = false

    var subject: String? { checkpoints.first }

    func execute() throws {
        let urls = checkpoints.isEmpty ? [try PretrainedModels.reconstructionURL(), try PretrainedModels.policyURL()]
                                       : checkpoints.map { URL(fileURLWithPath: $0) }
        for (n, url) in urls.enumerated() {
            let info = try CheckpointInfo(url)
            if json {
                print(Self.compact(info.jsonObject))
                continue
            }
            if n > 0 { print("") }
            print(info.path)
            print("  kind        \(info.kind)\(info.architecture.map { " (\($0) architecture)" } ?? "")")
            print("  step        \(info.step.map(String.init) ?? "unknown")")
            print("  parameters  \(info.parameters) in \(info.tensors) tensors, \(info.bytes) bytes")
            print("  config      " + Self.compact(info.config))
            if let t = info.trainingConfig { print("  training    " + Self.compact(t)) }
            if let d = info.data {
                print("  data        \(d.trainPairs) training and \(d.validationPairs) validation pairs" + (d.description.map { ": \($0)" } ?? ""))
            } else {
                print("  data        not recorded")
            }
            let v = info.validationSummary
            print("  validation  " + (v.isEmpty ? "not recorded" : v.map { "\($0.0) \($0.1)" }.joined(separator: ", ")))
            if let c = info.calibration {
                print(String(format: "  calibrated  CUT bias %g on %d pairs (%@): %.1f%% of defect beats treated, %.1f%% of clean beats kept (at least %.1f%% asked)",
                             c.cutBias, c.pairs, c.data, 100 * c.chosen.defectsTreated, 100 * c.chosen.cleanKept, 100 * c.cleanKeptTarget))
            }
        }
    }

    /// A JSON object on one line, keys sorted.
    static func compact(_ obj: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
