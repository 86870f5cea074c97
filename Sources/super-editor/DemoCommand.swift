import ArgumentParser
import Foundation
import SuperEditor

struct DemoCommand: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole system on built-in synthetic data: synth, prepare, train both phases, evaluate, edit a held-out track; writes report.md and report.json."
    )

    @Option(name: [.customShort("o"), .customLong("out")], help: "Output folder.") var out = "demo-out"
    @Flag(help: "Smaller settings (under 3 minutes).") var quick = false

    func execute() throws {
        let demo = Demo(out: URL(fileURLWithPath: out), settings: quick ? .quick : .full)
        try demo.run()
    }
}
