import ArgumentParser
import Foundation
import SuperEditor

struct Calibrate: CheckedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Choose a policy's CUT bias on pairs with known defects and write the policy with it.",
        discussion: """
        --data is a folder in the synth layout (raw/, truth/), as `style-pairs --style cleanup` writes it, best of music \
        the policy was not trained on. The policy is judged at CUT biases 0, 0.25, … 6 from one pass, and the largest bias \
        up to which the pairs keep at least --clean-kept of their clean beats goes into the written policy's config \
        (`cut_bias`), which `edit` and `evaluate cleanup` then use unless given --cut-bias.
        """
    )

    @Option(help: "Policy checkpoint; default: the shipped model.") var policy: String?
    @Option(help: "Pairs in the synth layout.") var data: String
    @Option(help: "The least share of clean beats to keep (0–1].") var cleanKept: Double = 0.97
    @Option(name: [.customShort("o"), .customLong("out")], help: "The calibrated policy checkpoint.") var out: String
    @Flag(help: "Replace an existing output file.") var force = false
    @Flag(help: "Print JSON.") var json = false

    var subject: String? { data }

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        guard cleanKept > 0 && cleanKept <= 1 else { throw ValidationError("--clean-kept must be above 0 and at most 1") }
        let output = URL(fileURLWithPath: out)
        try OutputPath.check(output, force: force)
        let source = try policy.map { URL(fileURLWithPath: $0) } ?? PretrainedModels.policyURL()
        let model = try Checkpoint.loadPolicy(source)
        let calibration = try CutBiasCalibration.calibrate(folder: URL(fileURLWithPath: data), policy: model, cleanKept: cleanKept)
        try calibration.write(checkpoint: source, to: output)
        try printReport(calibration, json: json) {
            calibration.table() + String(format: "\n%@: CUT bias %g (%.1f%% of defect beats treated, %.1f%% of clean beats kept)",
                                         out, calibration.cutBias, 100 * calibration.chosen.defectsTreated, 100 * calibration.chosen.cleanKept)
        }
    }
}
