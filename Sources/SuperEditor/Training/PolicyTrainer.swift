import Foundation
import NN
import Tensor

/// A Phase 2 trainer of either architecture: `PPOTrainer` for the guide's frame-level
/// `EditPredictor`, `BeatPolicyTrainer` for the beat-level `BeatPolicy`.
public protocol PolicyTrainer: AnyObject {
    var config: Phase2Config { get }
    var runFolder: TrainingRun { get }
    var showProgress: Bool { get set }
    var update: Int { get }
    /// The validation after the warm start, before any RL update.
    var warmStartValidation: PolicyMetrics? { get }
    func run() throws -> PolicyTrainingResult
}

public struct PolicyTrainingResult {
    public let updates: Int
    public let interrupted: Bool
    public let validation: PolicyMetrics?
    public let seconds: Double
}

public enum PolicyTraining {
    /// The trainer for the architecture the run uses: the saved run's when resuming, else the
    /// requested config's.
    public static func trainer(config: Phase2Config, dataset: PairedMelDataset, reconstruction: ReconstructionModel, out: URL,
                               resume: Bool = false, overrides: Set<String> = [], stop: StopRequest = StopRequest(),
                               collective: Collective = SingleProcess()) throws -> any PolicyTrainer {
        let architecture = resume ? (try savedConfig(TrainingRun(out))?.architecture ?? config.architecture) : config.architecture
        switch architecture {
        case .frame:
            if collective.size > 1 {
                throw InputError(out.path, "the frame-level policy (architecture frame) trains on one process; "
                                 + "under mpirun train the beat policy (the default)")
            }
            return try PPOTrainer(config: config, dataset: dataset, reconstruction: reconstruction, out: out, resume: resume,
                                  overrides: overrides, stop: stop)
        case .beat:
            return try BeatPolicyTrainer(config: config, dataset: dataset, reconstruction: reconstruction, out: out, resume: resume,
                                         overrides: overrides, stop: stop, collective: collective)
        }
    }

    /// The Phase 2 config saved in a run's last checkpoint (nil when the folder holds no run).
    static func savedConfig(_ run: TrainingRun) throws -> Phase2Config? {
        guard run.holdsRun else { return nil }
        let f = try SafeTensors.read(run.last)
        guard let text = f.metadata["phase2_config"], let saved = try? JSONDecoder().decode(Phase2Config.self, from: Data(text.utf8)) else {
            throw InputError(run.last.path, "checkpoint has no Phase 2 training config to resume from")
        }
        return saved
    }

    /// The fields a resumed run takes from the request instead of refusing them: more updates
    /// extend the run, and the validation interval changes nothing learned.
    public static let extendableOnResume: Set<String> = ["updates", "validate_every"]

    /// The run's effective config (`TrainingRun.effectiveConfig`) with the checks both trainers
    /// need before anything is built.
    static func resolve(config: Phase2Config, dataset: PairedMelDataset, run: TrainingRun, resume: Bool,
                        overrides: Set<String>, collective: Collective = SingleProcess()) throws -> Phase2Config {
        try run.checkStart(resume: resume, writer: collective.isWriter)
        // The writer may have just finished an interrupted save; the others read after it.
        collective.barrier()
        let cfg = try TrainingRun.effectiveConfig(requested: config, saved: resume ? try savedConfig(run) : nil, overrides: overrides,
                                                  extendable: extendableOnResume, runPath: run.directory.path)
        if let p = cfg.fieldProblem { throw InputError("config", p) }
        guard cfg.predictorDim % cfg.nHeads == 0 else {
            throw InputError("config", "predictor_dim \(cfg.predictorDim) is not divisible by n_heads \(cfg.nHeads)")
        }
        guard cfg.nMels == dataset.nMels else { throw InputError(dataset.cache.path, "cache has \(dataset.nMels) mel bands, config \(cfg.nMels)") }
        return cfg
    }

    /// The supervised warm start's loop, shared by both trainers: warmup-cosine schedule,
    /// progress, logs; `step` takes one step and returns its loss. Returns false when stopped.
    /// The role a training state records while the warm start's own optimiser is the one in use.
    static let warmRole = "warm_start"

    /// Whether a run at (`update`, `warmStep`) is inside its supervised warm start.
    static func inWarmStart(_ config: Phase2Config, update: Int, warmStep: Int) -> Bool {
        config.warmStart == .supervised && update == 0 && warmStep < config.warmStartSteps
    }

    /// How many warm-start steps pass between the checkpoints it saves (ten per warm start),
    /// so that a killed run resumes near where it stopped.
    static func warmCheckpointInterval(_ config: Phase2Config) -> Int { max(1, config.warmStartSteps / 10) }

    /// The metrics.jsonl lines a run resumed at (`update`, `warmStep`) keeps: warm-start lines
    /// up to its warm step, and once the warm start is done, the updates before `update`
    /// (a `train` line's `update` counts from 0) and validations up to it.
    static func metricsKept(_ config: Phase2Config, update: Int, warmStep: Int) -> ([String: Any]) -> Bool {
        let warm = inWarmStart(config, update: update, warmStep: warmStep)
        return { record in
            if let w = (record["warm_step"] as? NSNumber)?.intValue, w > warmStep { return false }
            if let u = (record["update"] as? NSNumber)?.intValue {
                if warm { return false }
                return record["split"] as? String == "train" ? u < update : u <= update
            }
            return true
        }
    }

    /// Whether a run already validated after its warm start: a checkpoint outside the warm
    /// start is only ever saved after that validation.
    static func validatedAfterWarmStart(_ config: Phase2Config, resumed: Bool, update: Int, warmStep: Int) -> Bool {
        resumed && !inWarmStart(config, update: update, warmStep: warmStep)
    }

    static func warmStart(config: Phase2Config, from start: Int, optimizer warm: AdamW, stop: StopRequest, showProgress: Bool,
                          board: TensorBoardWriter, log: MetricsLog, collective: Collective = SingleProcess(),
                          checkpoint: () throws -> Void, step: () throws -> (step: Int, loss: Float)) throws -> Bool {
        let schedule = WarmupCosineSchedule(baseRate: config.warmStartLearningRate, warmupSteps: config.warmStartSteps / 10,
                                            totalSteps: config.warmStartSteps)
        let bar = showProgress ? ProgressBar(total: config.warmStartSteps, label: "warm start", startingAt: start) : nil
        var current = start
        while current < config.warmStartSteps {
            if collective.any(stop.requested) { return false }
            warm.learningRate = schedule.rate(at: current)
            let (done, loss) = try step()
            current = done
            board.scalars(["warm_start/cross_entropy": Double(loss)], step: current)
            log.append(["warm_step": current, "split": "warm_start", "cross_entropy": loss])
            bar?.update(current, String(format: "CE %.3f", loss))
            if current % warmCheckpointInterval(config) == 0 && current < config.warmStartSteps { try checkpoint() }
        }
        return true
    }

    /// Logs one update's figures: `scalars` and the reward's terms (as `prefix/reward_TERM`) to
    /// TensorBoard, and the whole `stats` as a `train` line of metrics.jsonl.
    static func recordUpdate<S: Encodable>(_ stats: S, scalars: [String: Double], rewardTerms: [String: Double], prefix: String,
                                           update: Int, board: TensorBoardWriter, log: MetricsLog) {
        var all = scalars
        for (k, v) in rewardTerms { all["\(prefix)/reward_\(k)"] = v }
        board.scalars(all, step: update)
        if let data = try? JSONEncoder().encode(stats), var obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            obj["split"] = "train"
            log.append(obj)
        }
    }

    /// Logs a validation, saves `best`/`last` (see `TrainingRun.saveAfterValidation`), prints its line.
    static func recordValidation(_ v: PolicyMetrics, update: Int, run: TrainingRun, bestScore: Double, board: TensorBoardWriter,
                                 log: MetricsLog, bar: ProgressBar?, showProgress: Bool, setBest: (Double) -> Void,
                                 save: (URL) throws -> Void) throws {
        board.scalars(["val/average_reward": v.averageReward, "val/label_accuracy": v.labelAccuracy, "val/macro_f1": v.macroF1,
                       "val/duration_error": v.durationError, "val/change_rate": v.changeRate, "val/beat_accuracy": v.beatAccuracy,
                       "val/beat_macro_f1": v.beatMacroF1], step: update)
        var entry: [String: Any] = ["update": update, "split": "validation", "average_reward": v.averageReward,
                                    "label_accuracy": v.labelAccuracy, "macro_f1": v.macroF1, "duration_error": v.durationError,
                                    "change_rate": v.changeRate, "beat_accuracy": v.beatAccuracy, "beat_macro_f1": v.beatMacroF1,
                                    "beat_duration_error": v.beatDurationError]
        for (k, t) in v.rewardTerms { entry["reward_\(k)"] = t }
        log.append(entry)
        try run.saveAfterValidation(score: v.averageReward, bestScore: bestScore, higherIsBetter: true, setBest: setBest, save: save)
        let text = String(format: "update %d  val reward %.3f  accuracy %.1f%% (always-KEEP %.1f%%)  per beat %.1f%%  macro-F1 %.3f  duration error %.1f%%",
                          update, v.averageReward, 100 * v.labelAccuracy, 100 * v.majorityBaseline, 100 * v.beatAccuracy, v.macroF1,
                          100 * v.durationError)
        if let bar { bar.message(text) } else if showProgress { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }
}
