import ArgumentParser

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure labels and models against known answers.",
        subcommands: [EvaluateLabels.self, EvaluateReconstruction.self, EvaluatePolicy.self, EvaluateRender.self]
    )
}
