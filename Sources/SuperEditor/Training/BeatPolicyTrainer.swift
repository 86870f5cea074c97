import Foundation
import NN
import Tensor

/// Phase 2 for the beat-level policy (`BeatPolicy`), on whole tracks: a supervised warm start
/// on the per-beat labels with class weights for the rare labels, then `ExpectedRewardPPO`
/// against the frozen reconstruction model, anchored to the warm start.
///
/// The run folder holds `last`/`best` policy checkpoints and `anchor.safetensors`, the
/// warm-start policy the RL updates are held to.
public final class BeatPolicyTrainer: PolicyTrainer {
    public let config: Phase2Config
    public let dataset: PairedMelDataset
    public let reconstruction: ReconstructionModel
    public let policy: BeatPolicy
    public private(set) var anchor: BeatPolicy?
    public let parameters: ParameterBuffer
    public let optimizer: AdamW
    /// The supervised warm start's own AdamW (its moments are saved while the warm start runs).
    public let warmOptimizer: AdamW
    public let runFolder: TrainingRun
    /// Whether this run continues a saved one (`resume`).
    public let resumed: Bool
    public let stop: StopRequest
    /// The ranks this run trains with: each takes its share of every batch of tracks (and
    /// computes only their rollouts), and rank 0 alone validates and writes.
    public let collective: Collective
    public var showProgress = true
    public private(set) var update = 0
    public private(set) var warmStep = 0
    public private(set) var bestScore = -Double.infinity
    /// The figures of the last validation, recorded in the checkpoints saved after it.
    public private(set) var lastValidation: PolicyMetrics?
    public private(set) var history: [ExpectedRewardPPO.UpdateStats] = []
    public private(set) var warmStartValidation: PolicyMetrics?
    /// Warm-start weight of each action (`class_weight_power`), from the training beats.
    public let classWeights: [Float]
    let rl: ExpectedRewardPPO
    private var tables: [String: BeatRewardTable] = [:]

    public var anchorCheckpoint: URL { runFolder.directory.appendingPathComponent("anchor.safetensors") }

    public init(config: Phase2Config, dataset: PairedMelDataset, reconstruction: ReconstructionModel, out: URL,
                resume: Bool = false, overrides: Set<String> = [], stop: StopRequest = StopRequest(),
                collective: Collective = SingleProcess()) throws {
        let run = TrainingRun(out)
        let cfg = try PolicyTraining.resolve(config: config, dataset: dataset, run: run, resume: resume, overrides: overrides,
                                             collective: collective)
        guard cfg.architecture == .beat else { throw InputError("config", "BeatPolicyTrainer trains the beat policy; architecture is \(cfg.architecture.rawValue)") }
        guard cfg.attentionWindow > 0, cfg.globalTokens > 0 else {
            throw InputError("config", "attention_window and global_tokens must be positive")
        }
        for (name, size) in [("warm_start_batch_size", cfg.warmStartBatchSize), ("minibatch_size", min(cfg.minibatchSize, cfg.batchSize)),
                             ("the last minibatch", cfg.batchSize % max(cfg.minibatchSize, 1))] where size > 0 && size < collective.size {
            throw InputError(out.path, "\(name) holds \(size) tracks, fewer than the \(collective.size) ranks; each rank needs a track")
        }
        self.collective = collective
        runFolder = run
        resumed = resume
        self.config = cfg
        self.dataset = dataset
        self.reconstruction = reconstruction
        reconstruction.freeze()
        reconstruction.eval()
        self.stop = stop
        rl = ExpectedRewardPPO(config: cfg)
        policy = BeatPolicy(cfg.model, seed: cfg.seed)
        classWeights = try Self.classWeights(dataset, power: cfg.classWeightPower)
        if resume {
            let (f, _) = try Checkpoint.open(run.last, kind: .policy, config: PredictorConfig.self)
            try Checkpoint.fill(policy, from: f, path: run.last.path)
        }
        parameters = ParameterBuffer(policy)
        optimizer = AdamW(parameters, learningRate: cfg.learningRate, weightDecay: 0.01)
        warmOptimizer = AdamW(parameters, learningRate: cfg.warmStartLearningRate, weightDecay: 0.01)
        if collective.isWriter { try run.saveConfig(cfg) }
        if resume {
            let state = try TrainingState.load(for: run.last) { [warmOptimizer, optimizer] in $0 == PolicyTraining.warmRole ? warmOptimizer : optimizer }
            update = state.step
            bestScore = state.bestScore
            policy.random.generator = state.random
            warmStep = Int(try SafeTensors.read(run.last).metadata["warm_step"] ?? "") ?? 0
            if FileManager.default.fileExists(atPath: anchorCheckpoint.path) { anchor = try loadAnchor() }
        }
    }

    /// (beats / (7 · beats of the class))^power, normalised to mean 1 over the training beats;
    /// a class absent from training gets the largest weight seen.
    static func classWeights(_ dataset: PairedMelDataset, power: Float) throws -> [Float] {
        var counts = [Int](repeating: 0, count: EditLabel.count)
        for id in dataset.trainIDs { for l in try dataset.pair(id).beatLabels { counts[l] += 1 } }
        let total = Double(counts.reduce(0, +)), k = Double(EditLabel.actions.count)
        var w = counts.map { $0 > 0 ? Float(pow(total / (k * Double($0)), Double(power))) : 0 }
        let mean = zip(w, counts).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / max(total, 1)
        w = w.map { Float(Double($0) / max(mean, 1e-12)) }
        let largest = w.max() ?? 1
        return w.enumerated().map { $0.offset == EditLabel.pad.rawValue ? 0 : ($0.element > 0 ? $0.element : largest) }
    }

    var configJSON: String { TrainingRun.json(config) }

    public func saveCheckpoint(_ url: URL) throws {
        guard collective.isWriter else { return }
        let warm = PolicyTraining.inWarmStart(config, update: update, warmStep: warmStep)
        let state = TrainingState(step: update, bestScore: bestScore, random: policy.random.generator, configJSON: configJSON,
                                  optimizerRole: warm ? PolicyTraining.warmRole : "main")
        try CheckpointSet.save(url, writeCheckpoint: { to in
            try Checkpoint.save(policy, kind: .policy, config: config.model, step: update,
                                extra: Checkpoint.trainingRecord(["phase2_config": configJSON, "warm_step": String(warmStep)],
                                                                 data: dataset.summary, validation: lastValidation), to: to)
        }, companions: [TrainingState.companion(state, optimizer: warm ? warmOptimizer : optimizer, of: url)])
    }

    func loadAnchor() throws -> BeatPolicy {
        let a = BeatPolicy(config.model, seed: config.seed)
        let (f, _) = try Checkpoint.open(anchorCheckpoint, kind: .policy, config: PredictorConfig.self)
        try Checkpoint.fill(a, from: f, path: anchorCheckpoint.path)
        a.freeze()
        a.eval()
        return a
    }

    // MARK: Supervised warm start

    /// One class-weighted cross-entropy step on the per-beat labels of whole tracks.
    @discardableResult
    public func warmStartStep(optimizer warm: AdamW) throws -> Float {
        var pairs = try dataset.trainingTracks(step: warmStep, batchSize: config.warmStartBatchSize, seed: config.seed &+ 0x5EED)
        if let p = config.levelAugmentation, p > 0 {
            let augmentation = LevelAugmentation(probability: p)
            pairs = pairs.enumerated().map { i, pair in
                augmentation.apply(pair, nMels: dataset.nMels, seed: config.seed &+ 0x1E7E1 &+ UInt64(warmStep) &* 1024 &+ UInt64(i))
            }
        }
        let whole = BatchReduction(group: collective, shard: shard(pairs.count))
        let (batch, beats, labels) = try dataset.trackBatch(pairs, shard: whole.shard, beatFeatures: policy.config.beatFeatures)
        policy.train()
        policy.random.shard = whole.shard
        defer { policy.random.shard = nil }
        parameters.zeroGrad()
        let targets = labels.map { $0 == EditLabel.pad.rawValue ? EditLabel.keep.rawValue : $0 }
        let weights = labels.map { classWeights[$0] }
        let logp = policy(batch.mel, beats: beats).logSoftmax().pick(targets).reshaped([-1])
        let loss = -(whole.sum(logp * Tensor(weights, shape: [weights.count])) / max(whole.sum(weights.reduce(0, +)), 1e-6))
        loss.backward()
        parameters.sumGradients(over: collective)
        parameters.clipGradNorm(1.0)
        warm.update()
        warmStep += 1
        return loss.item
    }

    // MARK: RL

    /// The track's reward table, computed once (the reconstruction model is frozen): the
    /// model's output with every frame given each action, in one batch of seven.
    func table(_ p: PairedMelDataset.Pair) -> BeatRewardTable {
        if let t = tables[p.id] { return t }
        let k = EditLabel.actions.count, m = dataset.nMels
        let mel = Tensor.zeros([k, p.frames, m])
        p.mel.withUnsafeBufferPointer { src in for a in 0..<k { (mel.data + a * p.frames * m).update(from: src.baseAddress!, count: p.frames * m) } }
        let out = reconstruction.infer(mel, labels: (0..<k).flatMap { [Int](repeating: $0, count: p.frames) })
        let outputs = (0..<k).map { Array(UnsafeBufferPointer(start: out.data + $0 * p.frames * m, count: p.frames * m)) }
        let spans = EditTimeline.beatSpans(positions: p.beatFrames.isEmpty ? [0] : p.beatFrames, total: p.frames)
        let truth = (p.beatLabels.isEmpty ? [p.labels.first ?? EditLabel.keep.rawValue] : p.beatLabels).map { EditLabel(rawValue: $0)! }
        let t = BeatRewardTable(outputs: outputs, target: p.target, mels: m, spans: spans, truth: truth)
        tables[p.id] = t
        return t
    }

    /// This rank's rows of a batch of `n` tracks (nil on one process).
    func shard(_ n: Int) -> BatchShard? {
        collective.size > 1 ? BatchShard.split(n, rank: collective.rank, size: collective.size) : nil
    }

    /// The update's minibatches; a rank holds its share of each (and computes only those
    /// tracks' reward tables).
    func minibatches(update u: Int) throws -> [ExpectedRewardPPO.Tracks] {
        let pairs = try dataset.trainingTracks(step: u, batchSize: config.batchSize, seed: config.seed)
        return try stride(from: 0, to: pairs.count, by: max(1, config.minibatchSize)).map { start in
            let part = Array(pairs[start..<min(pairs.count, start + config.minibatchSize)])
            let shard = shard(part.count)
            let (batch, beats, labels) = try dataset.trackBatch(part, shard: shard, beatFeatures: policy.config.beatFeatures)
            var tracks = ExpectedRewardPPO.Tracks(batch: batch, beats: beats, beatLabels: labels,
                                                  tables: (shard.map { Array(part[$0.range]) } ?? part).map(table))
            if let shard { tracks.share = ExpectedRewardPPO.Share(shard: shard, beatsPerTrack: part.map(PairedMelDataset.beatCount)) }
            return tracks
        }
    }

    /// The warm-start policy RL is held to: a frozen copy of the policy's weights now.
    func copyOfPolicy() -> BeatPolicy {
        let a = BeatPolicy(config.model, seed: config.seed)
        let own = Dictionary(uniqueKeysWithValues: policy.namedParameters())
        for (name, p) in a.namedParameters() { p.data.update(from: own[name]!.data, count: p.count) }
        a.freeze()
        a.eval()
        return a
    }

    /// The warm start (when configured and not yet done), the validation after it, then RL
    /// updates to `updates`.
    public func run() throws -> PolicyTrainingResult {
        let start = Date()
        let board = try TensorBoardWriter(directory: runFolder.directory, writes: collective.isWriter)
        let log = try MetricsLog(url: runFolder.metrics, writes: collective.isWriter,
                                 keeping: resumed ? PolicyTraining.metricsKept(config, update: update, warmStep: warmStep) : nil)
        var validation: PolicyMetrics?
        let validated = PolicyTraining.validatedAfterWarmStart(config, resumed: resumed, update: update, warmStep: warmStep)
        if config.warmStart == .supervised && warmStep < config.warmStartSteps && update == 0 {
            let finished = try PolicyTraining.warmStart(config: config, from: warmStep, optimizer: warmOptimizer, stop: stop,
                                                        showProgress: showProgress && collective.isWriter, board: board, log: log,
                                                        collective: collective, checkpoint: { try saveCheckpoint(runFolder.last) }) {
                let loss = try warmStartStep(optimizer: warmOptimizer)
                return (warmStep, loss)
            }
            if !finished {
                try saveCheckpoint(runFolder.last)
                return PolicyTrainingResult(updates: update, interrupted: true, validation: nil, seconds: Date().timeIntervalSince(start))
            }
        }
        if update == 0 && !validated {
            if config.warmStart == .supervised {
                if collective.isWriter {
                    try Checkpoint.save(policy, kind: .policy, config: config.model, step: 0, extra: ["phase2_config": configJSON],
                                        to: anchorCheckpoint)
                }
                anchor = copyOfPolicy()
            }
            // Every rank validates (rank 0 alone writes): a forward pass draws from the policy's
            // random stream, which must stay the same on every rank.
            validation = try validateAndSave(board: board, log: log, bar: nil)
            warmStartValidation = validation
        }
        let bar = showProgress && collective.isWriter ? ProgressBar(total: config.updates, label: "rl", startingAt: update) : nil
        var interrupted = false
        while update < config.updates {
            if collective.any(stop.requested) { interrupted = true; break }
            let stats = rl.update(policy: policy, anchor: anchor, parameters: parameters, optimizer: optimizer,
                                  minibatches: try minibatches(update: update), reconstruction: reconstruction,
                                  entropyCoeff: config.entropyCoeff(atUpdate: update), update: update, over: collective)
            history.append(stats)
            update += 1
            let scalars: [String: Double] = ["rl/reward": stats.reward, "rl/expected_reward": stats.expectedReward,
                                             "rl/beat_accuracy": stats.beatAccuracy, "rl/approx_kl": stats.approxKL,
                                             "rl/kl_to_warm_start": stats.klToWarmStart, "rl/clip_fraction": stats.clipFraction,
                                             "rl/entropy": stats.entropy, "rl/entropy_coeff": stats.entropyCoeff]
            PolicyTraining.recordUpdate(stats, scalars: scalars, rewardTerms: stats.rewardTerms, prefix: "rl", update: update,
                                        board: board, log: log)
            bar?.update(update, String(format: "reward %.3f expected %.3f beat acc %.3f kl %.4f", stats.reward, stats.expectedReward,
                                       stats.beatAccuracy, stats.approxKL))
            if update % config.validateEvery == 0 || update == config.updates {
                validation = try validateAndSave(board: board, log: log, bar: bar)
            }
        }
        if interrupted { try saveCheckpoint(runFolder.last); bar?.message("stopped at update \(update); saved \(runFolder.last.path)") }
        board.flush()
        return PolicyTrainingResult(updates: update, interrupted: interrupted, validation: validation, seconds: Date().timeIntervalSince(start))
    }

    func validateAndSave(board: TensorBoardWriter, log: MetricsLog, bar: ProgressBar?) throws -> PolicyMetrics {
        let v = try PolicyEvaluation.evaluate(policy: policy, reconstruction: reconstruction, dataset: dataset)
        lastValidation = v
        try PolicyTraining.recordValidation(v, update: update, run: runFolder, bestScore: bestScore, board: board, log: log,
                                                        bar: bar, showProgress: showProgress && collective.isWriter, setBest: { bestScore = $0 }, save: saveCheckpoint)
        return v
    }
}
