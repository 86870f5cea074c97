import ArgumentParser
import Foundation
import SuperEditor

@main
struct SuperEditorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "super-editor",
        abstract: "Learns to edit raw music into a polished track from (raw, edited) pairs.",
        groupedSubcommands: [
            CommandGroup(name: "Edit a recording", subcommands: [Edit.self, Reconstruct.self, StudioCommand.self, DemoCommand.self]),
            CommandGroup(name: "Make training data", subcommands: [Synth.self, StylePairsCommand.self, PrepareCommand.self, Align.self]),
            CommandGroup(name: "Train and evaluate", subcommands: [Train.self, Evaluate.self, Calibrate.self, Predict.self, Info.self]),
            CommandGroup(name: "Look at audio", subcommands: [Features.self, BeatsCommand.self, Invert.self]),
            CommandGroup(name: "Measure speed", subcommands: [Bench.self]),
        ]
    )
}
