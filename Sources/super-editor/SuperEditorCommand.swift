import ArgumentParser
import Foundation
import SuperEditor

@main
struct SuperEditorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "super-editor",
        abstract: "Learns to edit raw music into a polished track from (raw, edited) pairs.",
        subcommands: [
            // Models (engine issue)
            Reconstruct.self, Predict.self, Bench.self,
            // Training
            Train.self, Edit.self, DemoCommand.self,
            // Audio front end (AudioDSP issue)
            Features.self, BeatsCommand.self, Invert.self,
            // Training data
            Synth.self, PrepareCommand.self, Align.self, Evaluate.self,
        ]
    )
}
