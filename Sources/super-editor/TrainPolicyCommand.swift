import ArgumentParser
import Foundation
import SuperEditor
import DataParallel

struct TrainPolicy: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Train the edit policy (Phase 2) against a frozen reconstruction model: by default the beat-level policy over whole tracks, a class-weighted supervised warm start, then per-beat-credit PPO anchored to it."
    )

    @Option(help: "Prepared cache.") var data: String
    @Option(help: "Reconstruction checkpoint (frozen).") var reconstruction: String
    @Option(name: [.customLong("out"), .customShort("o")], help: "Run folder.") var out: String
    @Option(help: "A JSON file with the guide's Phase2Config fields.") var config: String?
    @Option(help: "beat (default: one decision per beat over the whole track) or frame (the guide's per-frame EditPredictor with PPO).")
    var architecture: PolicyArchitecture?
    @Option(help: "supervised (default) or none: PPO from scratch.") var warmStart: WarmStart?
    @Option(help: "Supervised warm-start steps.") var warmStartSteps: Int?
    @Option(help: "PPO updates.") var updates: Int?
    @Option(help: "Sequences per rollout.") var batchSize: Int?
    @Option(help: "frame (default: one ratio per frame) or sequence (the guide's summed log-probabilities).") var ratio: PPORatio?
    @Option(help: "PPO learning rate.") var lr: Float?
    @Option(help: "Seed for initialisation, sampling and data order.") var seed: UInt64?
    @Option(help: "Evaluate (and checkpoint) every N updates.") var validateEvery: Int?
    @Option(help: "Beat policy RL baseline: rloo (default: leave-one-out over sampled labellings), exact (the expectation over the seven actions, no sampling) or self_critical (the greedy action's reward).")
    var rlBaseline: RLBaseline?
    @Option(help: "Labellings sampled per track by rloo and self_critical (default 4).") var rlSamples: Int?
    @Option(help: "Beat features a new beat policy reads (default 26; 18 leaves out the one each for the first and last four beats; 28 adds the level against each beat's closest-sounding twins elsewhere, 32 the uniform level steps to the beats either side; docs/beat-policy.md).")
    var beatFeatures: Int?
    @Option(help: "What the pairs are, in words; checkpoints record it as their data (see `info`).") var describeData: String?
    @Flag(help: "Continue the run saved in --out.") var resume = false

    @OptionGroup var limits: InputLimitOptions
    @OptionGroup var ranks: WorldOptions

    func execute() throws {
        limits.apply()
        if resume, config != nil { throw ValidationError("--resume continues the run's saved config; --config starts a new run") }
        let base = architecture == .frame ? Phase2Config.frameCPUDefault : Phase2Config.cpuDefault
        var o = ConfigOverrides(try config.map { try Phase2Config.load(URL(fileURLWithPath: $0)) } ?? base)
        o.set(architecture, "architecture", \.architecture)
        o.set(warmStart, "warm_start", \.warmStart)
        o.set(warmStartSteps, "warm_start_steps", \.warmStartSteps)
        o.set(updates, "updates", \.updates)
        o.set(batchSize, "batch_size", \.batchSize)
        o.set(ratio, "ratio", \.ratio)
        o.set(lr, "learning_rate", \.learningRate)
        o.set(seed, "seed", \.seed)
        o.set(validateEvery, "validate_every", \.validateEvery)
        o.set(rlBaseline.map(Optional.some), "rl_baseline", \.rlBaseline)
        if let n = rlSamples, n < 2 { throw ValidationError("--rl-samples must be at least 2") }
        o.set(rlSamples.map(Optional.some), "rl_samples", \.rlSamples)
        if let n = beatFeatures, !(1...BeatFeatures.count).contains(n) { throw ValidationError("--beat-features must be 1…\(BeatFeatures.count)") }
        o.set(beatFeatures.map(Optional.some), "beat_features", \.beatFeatures)
        try ranks.run { world in
            let recon = try Checkpoint.loadReconstruction(URL(fileURLWithPath: reconstruction))
            let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), nMels: recon.config.nMels)
            dataset.dataDescription = describeData
            let stop = StopRequest.onInterrupt()
            let trainer = try PolicyTraining.trainer(config: o.config, dataset: dataset, reconstruction: recon, out: URL(fileURLWithPath: out),
                                                     resume: resume, overrides: o.fields, stop: stop, collective: world)
            printOnWriter(world, "phase 2: \(dataset.trainIDs.count) training and \(dataset.validationIDs.count) validation pairs, "
                  + "\(trainer.config.architecture.rawValue) policy, warm start \(trainer.config.warmStart.rawValue), updates \(trainer.update)→\(trainer.config.updates)"
                  + (world.size > 1 ? ", \(world.size) ranks" : ""))
            let r = try trainer.run()
            if world.isWriter, let w = trainer.warmStartValidation {
                print(String(format: "after the warm start: val reward %.3f, per beat %.1f%%, per frame %.1f%%, macro-F1 %.3f",
                             w.averageReward, 100 * w.beatAccuracy, 100 * w.labelAccuracy, w.macroF1))
            }
            if world.isWriter, let v = r.validation {
                print(String(format: "after RL: val reward %.3f, per beat %.1f%% (always-KEEP %.1f%%), beat macro-F1 %.3f, beat duration error %.1f%%",
                             v.averageReward, 100 * v.beatAccuracy, 100 * v.beatMajorityBaseline, v.beatMacroF1, 100 * v.beatDurationError))
                print(String(format: "done in %.0f s: val reward %.3f, label accuracy %.1f%% (always-KEEP %.1f%%), macro-F1 %.3f, duration error %.1f%%",
                             r.seconds, v.averageReward, 100 * v.labelAccuracy, 100 * v.majorityBaseline, v.macroF1, 100 * v.durationError))
            }
            if let beat = trainer as? BeatPolicyTrainer { printAllreduceCost(world, beat.parameters) }
            if world.isWriter { printTrainingEnd(interrupted: r.interrupted, best: trainer.runFolder.best) }
        }
    }
}

extension WarmStart: ExpressibleByArgument {}
extension PPORatio: ExpressibleByArgument {}
extension PolicyArchitecture: ExpressibleByArgument {}
extension RLBaseline: ExpressibleByArgument {}
