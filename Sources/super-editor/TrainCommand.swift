import ArgumentParser
import Foundation
import SuperEditor

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train Phase 1 (reconstruction) or Phase 2 (policy).",
        subcommands: [TrainReconstruction.self, TrainPolicy.self]
    )
}

struct TrainReconstruction: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruction",
        abstract: "Train the reconstruction model on a prepared cache; writes best/last checkpoints, metrics.jsonl, TensorBoard events and plots under --out."
    )

    @Option(help: "Prepared cache (from `super-editor prepare`).")
    var data: String
    @Option(name: [.customLong("out"), .customShort("o")], help: "Run folder.")
    var out: String
    @Option(help: "tiny, small or seed (ignored with --config).")
    var preset: String = "tiny"
    @Option(help: "A JSON file with the guide's Phase1Config fields (missing fields keep their defaults).")
    var config: String?
    @Option(help: "Total optimisation steps; warmup and the validation interval scale with it (with --resume: extends the run's cosine).") var steps: Int?
    @Option(help: "Sequences per batch.") var batchSize: Int?
    @Option(help: "Peak learning rate.") var lr: Float?
    @Option(help: "Seed for initialisation, data order and dropout.") var seed: UInt64?
    @Option(help: "Validate (and checkpoint) every N steps.") var validateEvery: Int?
    @Flag(help: "Continue the run saved in --out exactly where it stopped.") var resume = false

    func run() throws {
        do {
            var cfg: Phase1Config
            if let config { cfg = try Phase1Config.load(URL(fileURLWithPath: config)) } else {
                guard let p = Phase1Config.preset(preset) else {
                    throw ValidationError("unknown preset '\(preset)' (use \(Phase1Config.presetNames.joined(separator: ", ")))")
                }
                cfg = p
            }
            if let steps, !resume { cfg = cfg.rescaled(toSteps: steps) }
            if let batchSize { cfg.batchSize = batchSize }
            if let lr { cfg.learningRate = lr }
            if let seed { cfg.seed = seed }
            if let validateEvery { cfg.validateEvery = validateEvery }
            let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), validationFraction: cfg.validationFraction, nMels: cfg.nMels)
            let stop = StopRequest()
            stop.installSignalHandler()
            let trainer = try Phase1Trainer(config: cfg, dataset: dataset, out: URL(fileURLWithPath: out), resume: resume,
                                            totalStepsOverride: resume ? steps : nil, stop: stop)
            print("phase 1: \(dataset.trainIDs.count) training and \(dataset.validationIDs.count) validation pairs, "
                  + "\(trainer.parameters.count) parameters, steps \(trainer.step)→\(trainer.config.totalSteps)")
            let result = try trainer.run()
            if let v = result.validation {
                print(String(format: "step %d in %.0f s: val L1 %.4f  STFT %.4f  consistency %.4f  %@ %.1f%%",
                             result.step, result.seconds, v.l1, v.stft, v.consistency, v.keepPreservationName,
                             100 * v.keepPreservation))
            }
            print(result.interrupted ? "interrupted; resume with --resume" : "done: \(trainer.bestURL.path)")
        } catch let e as ValidationError {
            throw e
        } catch {
            throw failure(error)
        }
    }
}

struct EvaluateReconstruction: ParsableCommand {
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

    func run() throws {
        do {
            let model = try Checkpoint.loadReconstruction(URL(fileURLWithPath: checkpoint))
            let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), nMels: model.config.nMels)
            let report = try Phase1Report.make(model: model, dataset: dataset, maxSeqLen: maxSeqLen,
                                               plots: plots.map { URL(fileURLWithPath: $0) }, clamp: !noClamp)
            print(json ? report.json : report.table)
        } catch {
            throw failure(error)
        }
    }
}
