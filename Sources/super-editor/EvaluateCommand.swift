import ArgumentParser
import Foundation
import SuperEditor

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure labels and models against known answers.",
        subcommands: [EvaluateLabels.self, EvaluateReconstruction.self, EvaluatePolicy.self, EvaluateCleanup.self, EvaluateRender.self]
    )
}

struct EvaluateReconstruction: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruction",
        abstract: "The guide's Phase 1 table on the validation split: L1, STFT, consistency, KEEP preservation, L1 per label."
    )

    @Option(help: "Prepared cache.") var data: String
    @Option(help: "Reconstruction checkpoint.") var checkpoint: String
    @Option(help: "Validation windows of at most this many frames (default: the length the model was trained on, else 1024).") var maxSeqLen: Int?
    @Option(help: "Write a few example plots into this folder.") var plots: String?
    @Flag(help: "Score the raw model output, without clamping it to the normalised mel's [0, 1].") var noClamp = false
    @Flag(help: "Print JSON.") var json = false

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let model = try Checkpoint.loadReconstruction(URL(fileURLWithPath: checkpoint))
        let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), nMels: model.config.nMels)
        let report = try Phase1Report.make(model: model, dataset: dataset, maxSeqLen: maxSeqLen,
                                           plots: plots.map { URL(fileURLWithPath: $0) }, clamp: !noClamp)
        print(json ? report.json : report.table)
    }
}

struct EvaluatePolicy: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Greedy labels on the validation split: average reward, accuracy (and the always-KEEP baseline), per-class scores, macro-F1, duration error, change rate."
    )

    @Option(help: "Prepared cache.") var data: String
    @Option(help: "Reconstruction checkpoint.") var reconstruction: String
    @Option(help: "Policy checkpoint.") var policy: String
    @Option(help: "Evaluate in windows of at most this many frames (as the policy was trained).") var maxSeqLen = 512
    @Flag(help: "Print JSON.") var json = false

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let recon = try Checkpoint.loadReconstruction(URL(fileURLWithPath: reconstruction))
        let pol = try Checkpoint.loadPolicy(URL(fileURLWithPath: policy))
        let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), nMels: recon.config.nMels)
        let m = try PolicyEvaluation.evaluate(policy: pol, reconstruction: recon, dataset: dataset, maxSeqLen: maxSeqLen)
        try printReport(m, json: json) { PolicyReport.table(m, pairs: dataset.validationIDs.count) }
    }
}

struct EvaluateRender: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Both renderers against the true edit on synthetic pairs: mel distance (dB) and multi-resolution STFT distance, with the true labels and with the policy's."
    )

    @Option(help: "A folder made by `super-editor synth` (raw/, edited/, truth/).") var synth: String
    @Option(help: "Policy checkpoint.") var policy: String
    @Option(help: "Reconstruction checkpoint.") var reconstruction: String
    @Option(help: "How many pairs.") var pairs = 5
    @Flag(help: "Print JSON.") var json = false

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let rows = try RenderEvaluation.evaluate(synth: URL(fileURLWithPath: synth),
                                                 policy: try Checkpoint.loadPolicy(URL(fileURLWithPath: policy)),
                                                 reconstruction: try Checkpoint.loadReconstruction(URL(fileURLWithPath: reconstruction)),
                                                 limit: pairs)
        try printReport(rows, json: json) { RenderEvaluation.table(rows) }
    }
}

struct EvaluateCleanup: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "How a policy treats known defects: per true reason (dropout, click, dead air, keep, …), the beats it cuts or low-passes and the clean beats it keeps, deciding on each raw file as `edit` does.",
        discussion: "--data is a folder in the synth layout (raw/, truth/), as `style-pairs --style cleanup` or `synth` writes it."
    )

    @Option(help: "Pairs in the synth layout.") var data: String
    @Option(help: "Policy checkpoint; default: the shipped model.") var policy: String?
    @Option(help: "Decide with this bias (nats) added to CUT's log-probability; repeat it to compare several from one pass (default: the policy's own, 0 unless calibrated).")
    var cutBias: [Double] = []
    @Flag(help: "Print JSON.") var json = false

    var subject: String? { data }

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let model = try policy.map { try Checkpoint.loadPolicy(URL(fileURLWithPath: $0)) } ?? PretrainedModels.policy()
        let reports = try CleanupEvaluation.evaluate(folder: URL(fileURLWithPath: data), policy: model,
                                                     cutBiases: cutBias.isEmpty ? nil : cutBias)
        let text = reports.map { r in "\(r.pairs) pairs" + (r.cutBias == 0 && cutBias.isEmpty ? "" : String(format: ", CUT bias %g", r.cutBias)) + "\n" + r.table() }
            .joined(separator: "\n\n")
        if reports.count == 1 { try printReport(reports[0], json: json) { text } } else { try printReport(reports, json: json) { text } }
    }
}
