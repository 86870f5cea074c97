import ArgumentParser
import Foundation
import SuperEditor
import DataParallel

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train Phase 1 (reconstruction) or Phase 2 (policy).",
        subcommands: [TrainReconstruction.self, TrainPolicy.self]
    )
}

struct TrainReconstruction: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruction",
        abstract: "Train the reconstruction model on a prepared cache; writes best/last checkpoints, metrics.jsonl, TensorBoard events and plots under --out."
    )

    @Option(help: "Prepared cache (from `super-editor prepare`).")
    var data: String
    @Option(name: [.customLong("out"), .customShort("o")], help: "Run folder.")
    var out: String
    @Option(help: "tiny (default), small or seed (ignored with --config).")
    var preset: String?
    @Option(help: "A JSON file with the guide's Phase1Config fields (missing fields keep their defaults).")
    var config: String?
    @Option(help: "Total optimisation steps; warmup and the validation interval scale with it (with --resume: extends the run's cosine).") var steps: Int?
    @Option(help: "Sequences per batch.") var batchSize: Int?
    @Option(help: "Peak learning rate.") var lr: Float?
    @Option(help: "Seed for initialisation, data order and dropout.") var seed: UInt64?
    @Option(help: "Validate (and checkpoint) every N steps.") var validateEvery: Int?
    @Option(help: "What the pairs are, in words; checkpoints record it as their data (see `info`).") var describeData: String?
    @Flag(help: "Continue the run saved in --out exactly where it stopped.") var resume = false

    @OptionGroup var limits: InputLimitOptions
    @OptionGroup var ranks: WorldOptions

    func execute() throws {
        limits.apply()
        if resume, config != nil || preset != nil {
            throw ValidationError("--resume continues the run's saved config; --config and --preset start a new run")
        }
        var cfg: Phase1Config
        if let config { cfg = try Phase1Config.load(URL(fileURLWithPath: config)) } else {
            let name = preset ?? "tiny"
            guard let p = Phase1Config.preset(name) else {
                throw ValidationError("unknown preset '\(name)' (use \(Phase1Config.presetNames.joined(separator: ", ")))")
            }
            cfg = p
        }
        if let steps, steps <= 0 { throw ValidationError("--steps must be positive, got \(steps)") }
        // A new run rescales its whole schedule to --steps; a resumed one extends its cosine.
        if let steps { cfg = resume ? { var c = cfg; c.totalSteps = steps; return c }() : cfg.rescaled(toSteps: steps) }
        var o = ConfigOverrides(cfg)
        if steps != nil { o.fields.insert("total_steps") }
        o.set(batchSize, "batch_size", \.batchSize)
        o.set(lr, "learning_rate", \.learningRate)
        o.set(seed, "seed", \.seed)
        o.set(validateEvery, "validate_every", \.validateEvery)
        try ranks.run { world in
            let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), nMels: o.config.nMels)
            dataset.dataDescription = describeData
            let stop = StopRequest.onInterrupt()
            let trainer = try Phase1Trainer(config: o.config, dataset: dataset, out: URL(fileURLWithPath: out), resume: resume,
                                            overrides: o.fields, stop: stop, collective: world)
            printOnWriter(world, "phase 1: \(dataset.trainIDs.count) training and \(dataset.validationIDs.count) validation pairs, "
                          + "\(trainer.parameters.count) parameters, steps \(trainer.step)→\(trainer.config.totalSteps)"
                          + (world.size > 1 ? ", \(world.size) ranks" : ""))
            let result = try trainer.run()
            if world.isWriter, let v = result.validation {
                print(String(format: "step %d in %.0f s: val L1 %.4f  STFT %.4f  consistency %.4f  %@ %.1f%%",
                             result.step, result.seconds, v.l1, v.stft, v.consistency, v.keepPreservationName,
                             100 * v.keepPreservation))
            }
            printAllreduceCost(world, trainer.parameters)
            if world.isWriter { printTrainingEnd(interrupted: result.interrupted, best: trainer.runFolder.best) }
        }
    }
}
