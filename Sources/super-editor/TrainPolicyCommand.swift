import ArgumentParser
import Foundation
import SuperEditor

struct TrainPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Train the edit policy (Phase 2) with PPO against a frozen reconstruction model; by default after a supervised warm start."
    )

    @Option(help: "Prepared cache.") var data: String
    @Option(help: "Reconstruction checkpoint (frozen).") var reconstruction: String
    @Option(name: [.customLong("out"), .customShort("o")], help: "Run folder.") var out: String
    @Option(help: "A JSON file with the guide's Phase2Config fields.") var config: String?
    @Option(help: "supervised (default) or none: PPO from scratch.") var warmStart: String?
    @Option(help: "Supervised warm-start steps.") var warmStartSteps: Int?
    @Option(help: "PPO updates.") var updates: Int?
    @Option(help: "Sequences per rollout.") var batchSize: Int?
    @Option(help: "frame (default: one ratio per frame) or sequence (the guide's summed log-probabilities).") var ratio: String?
    @Option(help: "PPO learning rate.") var lr: Float?
    @Option(help: "Seed for initialisation, sampling and data order.") var seed: UInt64?
    @Option(help: "Evaluate (and checkpoint) every N updates.") var validateEvery: Int?
    @Flag(help: "Continue the run saved in --out.") var resume = false

    func run() throws {
        do {
            var cfg = try config.map { try Phase2Config.load(URL(fileURLWithPath: $0)) } ?? Phase2Config.cpuDefault
            if let warmStart { cfg.warmStart = warmStart }
            if let warmStartSteps { cfg.warmStartSteps = warmStartSteps }
            if let updates { cfg.updates = updates }
            if let batchSize { cfg.batchSize = batchSize }
            if let ratio { cfg.ratio = ratio }
            if let lr { cfg.learningRate = lr }
            if let seed { cfg.seed = seed }
            if let validateEvery { cfg.validateEvery = validateEvery }
            let recon = try Checkpoint.loadReconstruction(URL(fileURLWithPath: reconstruction))
            let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), nMels: recon.config.nMels)
            let stop = StopRequest()
            stop.installSignalHandler()
            let trainer = try PPOTrainer(config: cfg, dataset: dataset, reconstruction: recon, out: URL(fileURLWithPath: out),
                                         resume: resume, updatesOverride: resume ? updates : nil, stop: stop)
            print("phase 2: \(dataset.trainIDs.count) training and \(dataset.validationIDs.count) validation pairs, "
                  + "warm start \(trainer.config.warmStart), ratio per \(trainer.config.ratio), updates \(trainer.update)→\(trainer.config.updates)")
            let r = try trainer.run()
            if let v = r.validation {
                print(String(format: "done in %.0f s: val reward %.3f, label accuracy %.1f%% (always-KEEP %.1f%%), macro-F1 %.3f, duration error %.1f%%",
                             r.seconds, v.averageReward, 100 * v.labelAccuracy, 100 * v.majorityBaseline, v.macroF1, 100 * v.durationError))
            }
            print(r.interrupted ? "interrupted; resume with --resume" : "policy: \(trainer.bestURL.path)")
        } catch {
            throw failure(error)
        }
    }
}

struct EvaluatePolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Greedy labels on the validation split: average reward, accuracy (and the always-KEEP baseline), per-class scores, macro-F1, duration error, change rate."
    )

    @Option(help: "Prepared cache.") var data: String
    @Option(help: "Reconstruction checkpoint.") var reconstruction: String
    @Option(help: "Policy checkpoint.") var policy: String
    @Option(help: "Evaluate in windows of at most this many frames (as the policy was trained).") var maxSeqLen = 512
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        do {
            let recon = try Checkpoint.loadReconstruction(URL(fileURLWithPath: reconstruction))
            let pol = try Checkpoint.loadPolicy(URL(fileURLWithPath: policy))
            let dataset = try PairedMelDataset(cache: URL(fileURLWithPath: data), nMels: recon.config.nMels)
            let m = try PolicyEvaluation.evaluate(policy: pol, reconstruction: recon, dataset: dataset, maxSeqLen: maxSeqLen)
            if json {
                try printJSON(m)
            } else {
                print(PolicyReport.table(m, pairs: dataset.validationIDs.count))
            }
        } catch {
            throw failure(error)
        }
    }
}

struct EvaluateRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Both renderers against the true edit on synthetic pairs: mel distance (dB) and multi-resolution STFT distance, with the true labels and with the policy's."
    )

    @Option(help: "A folder made by `super-editor synth` (raw/, edited/, truth/).") var synth: String
    @Option(help: "Policy checkpoint.") var policy: String
    @Option(help: "Reconstruction checkpoint.") var reconstruction: String
    @Option(help: "How many pairs.") var pairs = 5
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        do {
            let rows = try RenderEvaluation.evaluate(synth: URL(fileURLWithPath: synth),
                                                     policy: try Checkpoint.loadPolicy(URL(fileURLWithPath: policy)),
                                                     reconstruction: try Checkpoint.loadReconstruction(URL(fileURLWithPath: reconstruction)),
                                                     limit: pairs)
            if json {
                try printJSON(rows)
            } else {
                print(RenderEvaluation.table(rows))
            }
        } catch {
            throw failure(error)
        }
    }
}
