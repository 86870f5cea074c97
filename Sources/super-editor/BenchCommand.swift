import ArgumentParser
import Foundation
import SuperEditor

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a Phase 1 training step and inference (default), or the audio front end (bench dsp).",
        subcommands: [BenchModel.self, BenchDSP.self],
        defaultSubcommand: BenchModel.self
    )
}

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time a full Phase 1 training step and an inference pass on the reference bench's shapes."
    )

    @Option(help: "Model and batch shape: tiny, small or seed (as the reference's bench).")
    var preset: String = "small"

    @Option(help: "Timed training steps, after one warm-up step.")
    var steps: Int = 3

    @Flag(help: "Print JSON with the reference bench's keys.")
    var json = false

    func run() throws {
        guard let p = ModelPreset.named(preset) else {
            throw ValidationError("unknown preset '\(preset)' (use tiny, small or seed)")
        }
        let r = ModelBench.run(preset: p, steps: steps)
        if json {
            try printJSON(r)
        } else {
            print(String(format: "preset %@  params %d  threads %d  BLAS %@", r.preset, r.params, r.threads, r.blasCore))
            print(String(format: "train step %.4f s  (%.0f frames/s)", r.trainStepSeconds, r.trainFramesPerSecond))
            print(String(format: "inference  %.4f s  (%.0f frames/s)", r.inferSeconds, r.inferFramesPerSecond))
            print(String(format: "peak memory %.0f MiB", r.peakMemoryMB))
            for (title, split) in [("train step", r.trainSplit), ("inference", r.inferSplit)] where !split.isEmpty {
                let total = split.values.reduce(0, +)
                let parts = split.sorted { $0.value > $1.value }
                    .map { String(format: "%@ %.1f%%", $0.key, 100 * $0.value / max(total, 1e-12)) }
                print("\(title) split: " + parts.joined(separator: ", "))
            }
        }
    }
}
