import Foundation
import NN
import Tensor

/// Phase 1: trains a `ReconstructionModel` on a prepared cache with AdamW, warmup plus cosine
/// decay, clipping and dropout; validates every `validateEvery` steps, keeps `best` and `last`
/// checkpoints (with optimiser and random state, so `resume` continues exactly), and logs to
/// TensorBoard, `metrics.jsonl`, a progress bar and PNG plots.
public final class Phase1Trainer {
    public let config: Phase1Config
    public let dataset: PairedMelDataset
    public let outDirectory: URL
    public let model: ReconstructionModel
    public let parameters: ParameterBuffer
    public let optimizer: AdamW
    public let loss: Phase1Loss
    public let schedule: WarmupCosineSchedule
    public let stop: StopRequest
    /// The ranks this run trains with (`SingleProcess`, or an `mpirun` world): each takes its
    /// share of every batch, and rank 0 alone writes.
    public let collective: Collective
    /// Print progress (bar and validation lines) on stderr.
    public var showProgress = true
    /// Write metrics every this many steps.
    public var logEvery = 10
    public private(set) var step = 0
    public private(set) var bestScore = Double.infinity
    public private(set) var lastValidation: Phase1Metrics?

    public let runFolder: TrainingRun
    /// Whether this run continues a saved one (`resume`).
    public let resumed: Bool

    public struct Result {
        public let step: Int
        public let interrupted: Bool
        public let validation: Phase1Metrics?
        public let seconds: Double
    }

    /// The command-line fields a resumed run takes from the request instead of refusing them:
    /// more steps extend the run's cosine, and the validation interval changes nothing learned.
    public static let extendableOnResume: Set<String> = ["total_steps", "validate_every"]

    /// A new run in `out`, or with `resume` the continuation of the run saved there. A resumed
    /// run keeps its saved config except the fields named in `overrides` (JSON names) that
    /// `extendableOnResume` allows; any other override that differs is refused.
    public init(config: Phase1Config, dataset: PairedMelDataset, out: URL, resume: Bool = false,
                overrides: Set<String> = [], stop: StopRequest = StopRequest(), collective: Collective = SingleProcess()) throws {
        let run = TrainingRun(out)
        try run.checkStart(resume: resume, writer: collective.isWriter)
        // The writer may have just finished an interrupted save; the others read after it.
        collective.barrier()
        let last = run.last
        var saved: SafeTensors.File?
        var savedConfig: Phase1Config?
        if resume {
            let (file, _) = try Checkpoint.open(last, kind: .reconstruction, config: ReconstructionConfig.self)
            guard let text = file.metadata["phase1_config"],
                  let savedCfg = try? JSONDecoder().decode(Phase1Config.self, from: Data(text.utf8)) else {
                throw InputError(last.path, "checkpoint has no Phase 1 training config to resume from")
            }
            savedConfig = savedCfg
            saved = file
        }
        let cfg = try TrainingRun.effectiveConfig(requested: config, saved: savedConfig, overrides: overrides,
                                                  extendable: Self.extendableOnResume, runPath: out.path)
        try cfg.validate(against: dataset)
        if cfg.batchSize < collective.size {
            throw InputError(out.path, "batch size \(cfg.batchSize) is smaller than the \(collective.size) ranks; each rank needs a row")
        }
        self.collective = collective
        self.config = cfg
        self.runFolder = run
        resumed = resume
        self.dataset = dataset
        outDirectory = out
        self.stop = stop
        model = ReconstructionModel(cfg.model, seed: cfg.seed, outputInitScale: cfg.outputInitScale)
        if let saved { try Checkpoint.fill(model, from: saved, path: last.path) }
        parameters = ParameterBuffer(model)
        optimizer = AdamW(parameters, learningRate: cfg.learningRate, weightDecay: 0.01)
        loss = Phase1Loss(weights: cfg.lossWeights)
        schedule = WarmupCosineSchedule(baseRate: cfg.learningRate, warmupSteps: cfg.warmupSteps, totalSteps: cfg.totalSteps)
        if collective.isWriter { try run.saveConfig(cfg) }
        if resume {
            let state = try TrainingState.load(for: last, into: optimizer)
            step = state.step
            bestScore = state.bestScore
            model.random.generator = state.random
        }
    }

    private var configJSON: String { TrainingRun.json(config) }

    /// Saves the weights and the state needed to resume, atomically, as `name`.
    public func saveCheckpoint(_ url: URL) throws {
        guard collective.isWriter else { return }
        let state = TrainingState(step: step, bestScore: bestScore, random: model.random.generator, configJSON: configJSON)
        try CheckpointSet.save(url, writeCheckpoint: { to in
            try Checkpoint.save(model, kind: .reconstruction, config: config.model, step: step,
                                extra: Checkpoint.trainingRecord(["phase1_config": configJSON], data: dataset.summary,
                                                                 validation: lastValidation), to: to)
        }, companions: [TrainingState.companion(state, optimizer: optimizer, of: url)])
    }

    /// One optimisation step on the training batch for the current step; returns the loss terms
    /// and the gradient norm before clipping.
    @discardableResult
    public func trainStep() throws -> (losses: [String: Float], gradNorm: Float, learningRate: Float) {
        let shard = collective.size > 1 ? BatchShard.split(config.batchSize, rank: collective.rank, size: collective.size) : nil
        let batch = try dataset.trainingBatch(step: step, batchSize: config.batchSize, maxSeqLen: config.maxSeqLen, seed: config.seed,
                                              shard: shard)
        model.train()
        model.random.shard = shard
        defer { model.random.shard = nil }
        parameters.zeroGrad()
        let raw = model(batch.mel, labels: batch.labels)
        let l = loss(pred: config.lossInput(raw), target: batch.target, labels: batch.labels,
                     over: BatchReduction(group: collective, shard: shard))
        l.total.backward()
        parameters.sumGradients(over: collective)
        let norm = parameters.clipGradNorm(config.gradientClip)
        let lr = schedule.rate(at: step)
        optimizer.learningRate = lr
        optimizer.update()
        step += 1
        return (l.values, norm, lr)
    }

    public func validate() throws -> Phase1Metrics {
        let batches = try dataset.validationBatches(batchSize: config.batchSize, maxSeqLen: config.maxSeqLen)
        var first: (PairedMelDataset.Batch, Tensor)?
        let metrics = Phase1Evaluation.evaluate(model, batches: batches, clamp: config.clampOutput) { b, p in if first == nil { first = (b, p) } }
        if collective.isWriter, let (b, p) = first { try? plot(batch: b, prediction: p, to: outDirectory.appendingPathComponent("plots/step_\(step).png")) }
        return metrics
    }

    func plot(batch: PairedMelDataset.Batch, prediction: Tensor, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let m = batch.mel.shape[2], len = batch.lengths[0]
        let img = MelComparisonPlot.render(title: "\(batch.ids[0])  STEP \(step)",
                                           raw: Array(UnsafeBufferPointer(start: batch.mel.data, count: len * m)),
                                           target: Array(UnsafeBufferPointer(start: batch.target.data, count: len * m)),
                                           predicted: Array(UnsafeBufferPointer(start: prediction.data, count: len * m)),
                                           labels: Array(batch.labels[0..<len]), frames: len, bins: m)
        try img.writePNG(to: url)
    }

    /// Trains until `totalSteps` (or a stop request), validating and checkpointing on the way.
    public func run() throws -> Result {
        let start = Date()
        let board = try TensorBoardWriter(directory: outDirectory, writes: collective.isWriter)
        let metrics = try MetricsLog(url: runFolder.metrics, writes: collective.isWriter,
                                     keeping: resumed ? MetricsLog.upTo("step", step) : nil)
        let bar = showProgress && collective.isWriter ? ProgressBar(total: config.totalSteps, label: "phase1", startingAt: step) : nil
        var interrupted = false
        var window: [Float] = []
        while step < config.totalSteps {
            if collective.any(stop.requested) { interrupted = true; break }
            let t0 = Date(), c0 = parameters.allreduceSeconds
            let (losses, norm, lr) = try trainStep()
            let communication = parameters.allreduceSeconds - c0
            window.append(losses["total"]!)
            if step % logEvery == 0 || step == config.totalSteps {
                var scalars: [String: Double] = ["train/learning_rate": Double(lr), "train/grad_norm": Double(norm),
                                                 "train/step_seconds": Date().timeIntervalSince(t0)]
                if collective.size > 1 { scalars["train/allreduce_seconds"] = communication }
                for (k, v) in losses { scalars["train/\(k)"] = Double(v) }
                board.scalars(scalars, step: step)
                scalars["train/alpha"] = Double(model.decoder.alpha.item)
                var record: [String: Any] = ["step": step, "split": "train", "learning_rate": lr, "grad_norm": norm,
                                             "alpha": model.decoder.alpha.item]
                for (k, v) in losses { record[k] = v }
                metrics.append(record)
            }
            bar?.update(step, String(format: "loss %.4f", window.suffix(20).reduce(0, +) / Float(min(20, window.count))))
            if step % config.validateEvery == 0 || step == config.totalSteps {
                // Every rank validates: a forward pass draws from the model's random stream
                // (attention takes a seed even in eval mode), and the streams must stay the same.
                try validateAndSave(board: board, metrics: metrics, bar: bar)
            }
        }
        if interrupted { try saveCheckpoint(runFolder.last); bar?.message("stopped at step \(step); saved \(runFolder.last.path)") }
        board.flush()
        return Result(step: step, interrupted: interrupted, validation: lastValidation, seconds: Date().timeIntervalSince(start))
    }

    private func validateAndSave(board: TensorBoardWriter, metrics log: MetricsLog, bar: ProgressBar?) throws {
        let v = try validate()
        lastValidation = v
        let score = v.total(config.lossWeights)
        board.scalars(["val/l1": v.l1, "val/stft": v.stft, "val/consistency": v.consistency,
                       "val/keep_preservation": v.keepPreservation, "val/keep_threshold": v.keepThreshold,
                       "val/total": score], step: step)
        log.append(["step": step, "split": "validation", "l1": v.l1, "stft": v.stft, "consistency": v.consistency,
                    "keep_preservation": v.keepPreservation, "keep_threshold": v.keepThreshold, "total": score,
                    "per_label_l1": v.perLabelL1])
        try runFolder.saveAfterValidation(score: score, bestScore: bestScore, higherIsBetter: false, setBest: { bestScore = $0 }, save: saveCheckpoint)
        bar?.message(String(format: "step %d  val L1 %.4f  STFT %.4f  consistency %.4f  %@ %.1f%%", step, v.l1, v.stft,
                            v.consistency, v.keepPreservationName, 100 * v.keepPreservation))
    }
}
