import Foundation
import NN
import Tensor

/// The policy and the value network as one module, so that one optimiser and one gradient
/// clip cover both (as the guide's agent does).
public final class PolicyAndValue: Module {
    public let policy: EditPredictor
    public let value: ValueNetwork
    public init(policy: EditPredictor, value: ValueNetwork) {
        self.policy = policy
        self.value = value
    }
    public override func children() -> [(String, Module)] { [("policy", policy), ("value", value)] }
}

/// Phase 2: learns which labels to apply with PPO against the frozen reconstruction model,
/// optionally after a supervised warm start on the true labels.
///
/// Each update samples `batchSize` sequences, draws a label per frame from the policy, scores
/// them with the guide's reward, and takes `nEpochsPerUpdate` passes of clipped-surrogate,
/// value and entropy steps over minibatches, stopping early when the approximate KL passes
/// `targetKL`. With one-step episodes GAE reduces to reward − value; it is computed in its
/// general form anyway.
public final class PPOTrainer: PolicyTrainer {
    public let config: Phase2Config
    public let dataset: PairedMelDataset
    public let reconstruction: ReconstructionModel
    public let agent: PolicyAndValue
    public let parameters: ParameterBuffer
    public let optimizer: AdamW
    /// The supervised warm start's own AdamW (its moments are saved while the warm start runs).
    public let warmOptimizer: AdamW
    public let outDirectory: URL
    public let stop: StopRequest
    public var showProgress = true
    public private(set) var update = 0
    public private(set) var warmStep = 0
    public private(set) var bestScore = -Double.infinity
    /// The figures of the last validation, recorded in the checkpoints saved after it.
    public private(set) var lastValidation: PolicyMetrics?
    public private(set) var history: [UpdateStats] = []
    /// The validation after the warm start, before any PPO update.
    public private(set) var warmStartValidation: PolicyMetrics?

    public var policy: EditPredictor { agent.policy }
    public var value: ValueNetwork { agent.value }
    public let runFolder: TrainingRun
    /// Whether this run continues a saved one (`resume`).
    public let resumed: Bool

    public struct UpdateStats: Codable, Sendable {
        public var update: Int
        public var reward: Double
        public var rewardTerms: [String: Double]
        public var labelAccuracy: Double
        public var approxKL: Double
        public var clipFraction: Double
        public var entropy: Double
        public var explainedVariance: Double
        public var valueLoss: Double
        public var entropyCoeff: Double
        public var epochs: Int

        enum CodingKeys: String, CodingKey {
            case update, reward, entropy, epochs
            case rewardTerms = "reward_terms", labelAccuracy = "label_accuracy", approxKL = "approx_kl"
            case clipFraction = "clip_fraction", explainedVariance = "explained_variance", valueLoss = "value_loss"
            case entropyCoeff = "entropy_coeff"
        }
    }

    /// A new run in `out`, or with `resume` the continuation of the run saved there
    /// (`PolicyTraining.resolve`: the saved config, with the overrides it allows).
    public init(config: Phase2Config, dataset: PairedMelDataset, reconstruction: ReconstructionModel, out: URL,
                resume: Bool = false, overrides: Set<String> = [], stop: StopRequest = StopRequest()) throws {
        let run = TrainingRun(out)
        let last = run.last
        let cfg = try PolicyTraining.resolve(config: config, dataset: dataset, run: run, resume: resume, overrides: overrides)
        guard cfg.architecture == .frame else { throw InputError("config", "PPOTrainer trains the frame policy; architecture is \(cfg.architecture.rawValue)") }
        self.runFolder = run
        resumed = resume
        self.config = cfg
        self.dataset = dataset
        self.reconstruction = reconstruction
        reconstruction.freeze()
        reconstruction.eval()
        outDirectory = out
        self.stop = stop
        agent = PolicyAndValue(policy: EditPredictor(cfg.model, seed: cfg.seed), value: ValueNetwork(cfg.model, seed: cfg.seed &+ 7))
        if resume {
            let (pf, _) = try Checkpoint.open(last, kind: .policy, config: PredictorConfig.self)
            try Checkpoint.fill(agent.policy, from: pf, path: last.path)
            let vURL = try CheckpointSet.companion(TrainingRun.valueCheckpoint(for: last), of: last, what: "value network").url
            let (vf, _) = try Checkpoint.open(vURL, kind: .value, config: PredictorConfig.self)
            try Checkpoint.fill(agent.value, from: vf, path: vURL.path)
        }
        parameters = ParameterBuffer(agent)
        optimizer = AdamW(parameters, learningRate: cfg.learningRate, weightDecay: 0.01)
        warmOptimizer = AdamW(parameters, learningRate: cfg.warmStartLearningRate, weightDecay: 0.01)
        try run.saveConfig(cfg)
        if resume {
            let state = try TrainingState.load(for: last) { [warmOptimizer, optimizer] in $0 == PolicyTraining.warmRole ? warmOptimizer : optimizer }
            update = state.step
            bestScore = state.bestScore
            agent.policy.random.generator = state.random
            warmStep = Int(try SafeTensors.read(last).metadata["warm_step"] ?? "") ?? 0
        }
    }

    var configJSON: String { TrainingRun.json(config) }

    public func saveCheckpoint(_ url: URL) throws {
        let warm = PolicyTraining.inWarmStart(config, update: update, warmStep: warmStep)
        let state = TrainingState(step: update, bestScore: bestScore, random: policy.random.generator, configJSON: configJSON,
                                  optimizerRole: warm ? PolicyTraining.warmRole : "main")
        let extra = Checkpoint.trainingRecord(["phase2_config": configJSON, "warm_step": String(warmStep)],
                                              data: dataset.summary, validation: lastValidation)
        let valueCompanion = CheckpointSet.Companion(url: TrainingRun.valueCheckpoint(for: url)) { [value, config, update] to, digest in
            var tagged = extra
            tagged[CheckpointSet.digestKey] = digest
            try Checkpoint.save(value, kind: .value, config: config.model, step: update, extra: tagged, to: to)
        }
        try CheckpointSet.save(url, writeCheckpoint: { to in
            try Checkpoint.save(policy, kind: .policy, config: config.model, step: update, extra: extra, to: to)
        }, companions: [TrainingState.companion(state, optimizer: warm ? warmOptimizer : optimizer, of: url), valueCompanion])
    }

    // MARK: Supervised warm start

    /// One cross-entropy step of the policy on the true per-frame labels.
    @discardableResult
    public func warmStartStep(optimizer warm: AdamW) throws -> Float {
        let batch = try dataset.trainingBatch(step: warmStep, batchSize: config.warmStartBatchSize, maxSeqLen: config.maxSeqLen,
                                              seed: config.seed &+ 0x5EED)
        policy.train()
        parameters.zeroGrad()
        let valid = batch.labels.map { $0 != EditLabel.pad.rawValue }
        let targets = batch.labels.map { $0 == EditLabel.pad.rawValue ? EditLabel.keep.rawValue : $0 }
        let logp = policy(batch.mel).logSoftmax().pick(targets).reshaped([-1])
        let mask = Tensor(valid.map { $0 ? Float(1) : 0 }, shape: [valid.count])
        let loss = -((logp * mask).sum() / Float(max(1, valid.filter { $0 }.count)))
        loss.backward()
        parameters.clipGradNorm(1.0)
        warm.update()
        warmStep += 1
        return loss.item
    }

    // MARK: PPO

    /// Rollout: sequences, sampled labels, their log-probabilities, values and rewards.
    public struct Rollout {
        public let batch: PairedMelDataset.Batch
        public let actions: [Int]
        public let logProbs: [Float]
        public let values: [Float]
        public let rewards: [Reward]
        public let valid: [Bool]
    }

    public func collect(update u: Int, greedy: Bool = false) throws -> Rollout {
        let batch = try dataset.trainingBatch(step: u, batchSize: config.batchSize, maxSeqLen: config.maxSeqLen, seed: config.seed)
        agent.eval()
        let (logp, values) = noGrad { (policy(batch.mel).logSoftmax(), value(batch.mel)) }
        var rng = RandomGenerator(seed: config.seed ^ (UInt64(u + 1) &* 0xA24B_AED4_963E_E407))
        let rows = batch.labels.count
        var actions = [Int](repeating: EditLabel.keep.rawValue, count: rows)
        var lps = [Float](repeating: 0, count: rows)
        let valid = batch.labels.map { $0 != EditLabel.pad.rawValue }
        for r in 0..<rows where valid[r] {
            let p = logp.data + r * EditLabel.count
            var a = EditLabel.keep.rawValue
            if greedy {
                a = UnsafeBufferPointer(start: p, count: EditLabel.actions.count).argmax!
            } else {
                let u = rng.nextFloat()
                var acc: Float = 0
                a = EditLabel.actions.count - 1
                for k in 0..<EditLabel.actions.count {
                    acc += Foundation.exp(p[k])
                    if u < acc { a = k; break }
                }
            }
            actions[r] = a
            lps[r] = p[a]
        }
        let rewards = RewardModel.rewards(reconstruction: reconstruction, batch: batch, actions: actions)
        return Rollout(batch: batch, actions: actions, logProbs: lps, values: values.scalars, rewards: rewards, valid: valid)
    }

    /// The PPO epochs over one rollout: advantages, then per epoch a seeded shuffle into
    /// minibatches, each one clipped-surrogate step; stops early when the epoch's KL passes
    /// `target_kl`.
    public func optimize(_ r: Rollout) -> UpdateStats {
        let b = r.batch.mel.shape[0]
        let (advantages, returns) = advantagesAndReturns(r)
        let entCoef = config.entropyCoeff(atUpdate: update)
        var totals = MinibatchStats(), kl = 0.0, epochs = 0
        var rng = RandomGenerator(seed: config.seed &+ UInt64(update) &* 31)
        agent.eval()
        for epoch in 0..<config.nEpochsPerUpdate {
            epochs = epoch + 1
            var order = Array(0..<b)
            for i in stride(from: b - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var epochKL = 0.0, epochFrames = 0
            for start in stride(from: 0, to: b, by: config.minibatchSize) {
                let mb = gather(r, indices: Array(order[start..<min(b, start + config.minibatchSize)]), advantages: advantages)
                let stats = step(mb, returns: returns, entropyCoeff: entCoef)
                epochKL += stats.klSum
                epochFrames += stats.frames
                totals.add(stats)
            }
            kl = epochKL / Double(max(epochFrames, 1))
            if kl > Double(config.targetKL) { break }
        }
        return updateStats(r, returns: returns, totals: totals, approxKL: kl, epochs: epochs, entropyCoeff: entCoef)
    }

    /// GAE over the rollout's one-step episodes (each sequence is one action set, one reward),
    /// normalised when configured; and the value targets.
    func advantagesAndReturns(_ r: Rollout) -> (advantages: [Float], returns: [Float]) {
        let b = r.batch.mel.shape[0]
        let (adv, returns) = Advantage.gae(rewards: r.rewards.map(\.total), values: r.values, dones: [Bool](repeating: true, count: b),
                                           gamma: config.gamma, lambda: config.gaeLambda)
        return (config.normalizeAdvantages ? Advantage.normalized(adv) : adv, returns)
    }

    /// Sequences of one minibatch, with their flattened per-frame actions, old log-probabilities,
    /// validity mask and (broadcast) advantages.
    struct Minibatch {
        let indices: [Int]
        let mel: Tensor
        let actions: [Int]
        let oldLogProbs: [Float]
        let mask: [Float]
        let frameAdvantages: [Float]
        let sequenceAdvantages: [Float]
        let sequenceOldLogProbs: [Float]
    }

    func gather(_ r: Rollout, indices idx: [Int], advantages: [Float]) -> Minibatch {
        let t = r.batch.mel.shape[1], m = r.batch.mel.shape[2]
        let mel = Tensor.zeros([idx.count, t, m])
        var acts = [Int](), old = [Float](), mask = [Float](), frameAdv = [Float]()
        for (j, i) in idx.enumerated() {
            (mel.data + j * t * m).update(from: r.batch.mel.data + i * t * m, count: t * m)
            acts += r.actions[(i * t)..<((i + 1) * t)]
            old += r.logProbs[(i * t)..<((i + 1) * t)]
            mask += r.valid[(i * t)..<((i + 1) * t)].map { $0 ? 1 : 0 }
            frameAdv += [Float](repeating: advantages[i], count: t)
        }
        let seqOld = idx.map { i in (0..<t).reduce(Float(0)) { $0 + (r.valid[i * t + $1] ? r.logProbs[i * t + $1] : 0) } }
        return Minibatch(indices: idx, mel: mel, actions: acts, oldLogProbs: old, mask: mask, frameAdvantages: frameAdv,
                         sequenceAdvantages: idx.map { advantages[$0] }, sequenceOldLogProbs: seqOld)
    }

    /// What one minibatch step adds to the update's diagnostics.
    struct MinibatchStats {
        var klSum = 0.0, frames = 0, clipped = 0.0, entropy = 0.0, valueLoss = 0.0, sequences = 0

        mutating func add(_ o: MinibatchStats) {
            clipped += o.clipped
            entropy += o.entropy
            valueLoss += o.valueLoss
            sequences += o.sequences
        }
    }

    /// PPO's clipped surrogate, per frame or per sequence (`ratio`), as a loss to minimise.
    func surrogateLoss(newLogProbs newLp: Tensor, _ mb: Minibatch, maskT: Tensor, validCount: Float) -> Tensor {
        let n = mb.indices.count, t = mb.actions.count / max(n, 1)
        let lo = 1 - config.clipRatio, hi = 1 + config.clipRatio
        switch config.ratio {
        case .sequence:
            let seqNew = (newLp * maskT).reshaped([n, t]).sum(axes: [1])
            let ratio = (seqNew - Tensor(mb.sequenceOldLogProbs, shape: [n])).exp()
            let advT = Tensor(mb.sequenceAdvantages, shape: [n])
            return -(ratio * advT).minimum(ratio.clamp(min: lo, max: hi) * advT).mean()
        case .frame:
            let ratio = (newLp - Tensor(mb.oldLogProbs, shape: [n * t])).exp()
            let advT = Tensor(mb.frameAdvantages, shape: [n * t])
            let surr = (ratio * advT).minimum(ratio.clamp(min: lo, max: hi) * advT)
            return -((surr * maskT).sum() / validCount)
        }
    }

    /// One optimiser step on a minibatch: surrogate + value loss − entropy bonus.
    func step(_ mb: Minibatch, returns: [Float], entropyCoeff entCoef: Float) -> MinibatchStats {
        let n = mb.indices.count
        let validCount = max(1, mb.mask.reduce(0, +))
        let maskT = Tensor(mb.mask, shape: [mb.mask.count])
        parameters.zeroGrad()
        let logp = policy(mb.mel).logSoftmax()
        let newLp = logp.pick(mb.actions).reshaped([-1])
        let policyLoss = surrogateLoss(newLogProbs: newLp, mb, maskT: maskT, validCount: validCount)
        let padMask = EditLabel.allCases.map { $0 == .pad }
        let ent = -((logp.exp() * logp.maskedFill(padMask, value: 0)).sum(axes: [-1]).reshaped([-1]) * maskT).sum() / validCount
        let vLoss = (value(mb.mel) - Tensor(mb.indices.map { returns[$0] }, shape: [n])).pow(2).mean()
        let loss = policyLoss + vLoss * config.valueCoeff - ent * entCoef
        loss.backward()
        parameters.clipGradNorm(config.maxGradNorm)
        optimizer.update()
        var stats = MinibatchStats()
        for k in 0..<mb.mask.count where mb.mask[k] > 0 {
            let lr = Double(newLp.data[k] - mb.oldLogProbs[k])
            stats.klSum += (Foundation.exp(lr) - 1) - lr
            stats.frames += 1
            if abs(Foundation.exp(lr) - 1) > Double(config.clipRatio) { stats.clipped += 1 }
        }
        stats.entropy = Double(ent.item) * Double(n)
        stats.valueLoss = Double(vLoss.item) * Double(n)
        stats.sequences = n
        return stats
    }

    /// The update's figures: the reward (total and its four terms), accuracy against the
    /// inferred labels, and PPO's diagnostics.
    func updateStats(_ r: Rollout, returns: [Float], totals: MinibatchStats, approxKL kl: Double, epochs: Int,
                     entropyCoeff entCoef: Float) -> UpdateStats {
        let rewards = r.rewards.map(\.total)
        let frames = r.valid.filter { $0 }.count
        var correct = 0
        for k in 0..<r.actions.count where r.valid[k] && r.actions[k] == r.batch.labels[k] { correct += 1 }
        let varR = variance(returns), varDiff = variance(zip(returns, r.values).map { $0 - $1 })
        let n = Double(max(rewards.count, 1))
        return UpdateStats(update: update, reward: Double(rewards.reduce(0, +)) / n,
                           rewardTerms: ["reconstruction": r.rewards.reduce(0) { $0 + Double($1.reconstruction) } / n,
                                         "label": r.rewards.reduce(0) { $0 + Double($1.label) } / n,
                                         "duration": r.rewards.reduce(0) { $0 + Double($1.duration) } / n,
                                         "smoothness": r.rewards.reduce(0) { $0 + Double($1.smoothness) } / n],
                           labelAccuracy: Double(correct) / Double(max(frames, 1)), approxKL: kl,
                           clipFraction: totals.clipped / Double(max(frames * epochs, 1)),
                           entropy: totals.entropy / Double(max(totals.sequences, 1)),
                           explainedVariance: varR > 1e-12 ? 1 - varDiff / varR : 0,
                           valueLoss: totals.valueLoss / Double(max(totals.sequences, 1)), entropyCoeff: Double(entCoef), epochs: epochs)
    }

    func variance(_ a: [Float]) -> Double {
        let n = Double(a.count), mean = a.reduce(0) { $0 + Double($1) } / n
        return a.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    }

    /// The warm start (when configured and not yet done), then PPO updates to `updates`.
    public func run() throws -> PolicyTrainingResult {
        let start = Date()
        let board = try TensorBoardWriter(directory: outDirectory)
        let log = try MetricsLog(url: runFolder.metrics,
                                 keeping: resumed ? PolicyTraining.metricsKept(config, update: update, warmStep: warmStep) : nil)
        var validation: PolicyMetrics?
        let validated = PolicyTraining.validatedAfterWarmStart(config, resumed: resumed, update: update, warmStep: warmStep)
        if config.warmStart == .supervised && warmStep < config.warmStartSteps && update == 0 {
            let finished = try PolicyTraining.warmStart(config: config, from: warmStep, optimizer: warmOptimizer, stop: stop,
                                                        showProgress: showProgress, board: board, log: log,
                                                        checkpoint: { try saveCheckpoint(runFolder.last) }) {
                let loss = try warmStartStep(optimizer: warmOptimizer)
                return (warmStep, loss)
            }
            if !finished { try saveCheckpoint(runFolder.last); return PolicyTrainingResult(updates: update, interrupted: true, validation: nil, seconds: Date().timeIntervalSince(start)) }
        }
        if update == 0 && !validated {
            validation = try validateAndSave(board: board, log: log, bar: nil)
            warmStartValidation = validation
        }
        let bar = showProgress ? ProgressBar(total: config.updates, label: "ppo", startingAt: update) : nil
        var interrupted = false
        while update < config.updates {
            if stop.requested { interrupted = true; break }
            let rollout = try collect(update: update)
            let stats = optimize(rollout)
            history.append(stats)
            update += 1
            let scalars: [String: Double] = ["ppo/reward": stats.reward, "ppo/label_accuracy": stats.labelAccuracy,
                                             "ppo/approx_kl": stats.approxKL, "ppo/clip_fraction": stats.clipFraction,
                                             "ppo/entropy": stats.entropy, "ppo/explained_variance": stats.explainedVariance,
                                             "ppo/value_loss": stats.valueLoss, "ppo/entropy_coeff": stats.entropyCoeff]
            PolicyTraining.recordUpdate(stats, scalars: scalars, rewardTerms: stats.rewardTerms, prefix: "ppo", update: update,
                                        board: board, log: log)
            bar?.update(update, String(format: "reward %.3f acc %.3f kl %.4f", stats.reward, stats.labelAccuracy, stats.approxKL))
            if update % config.validateEvery == 0 || update == config.updates {
                validation = try validateAndSave(board: board, log: log, bar: bar)
            }
        }
        if interrupted { try saveCheckpoint(runFolder.last); bar?.message("stopped at update \(update); saved \(runFolder.last.path)") }
        board.flush()
        return PolicyTrainingResult(updates: update, interrupted: interrupted, validation: validation, seconds: Date().timeIntervalSince(start))
    }

    func validateAndSave(board: TensorBoardWriter, log: MetricsLog, bar: ProgressBar?) throws -> PolicyMetrics {
        let v = try PolicyEvaluation.evaluate(policy: policy, reconstruction: reconstruction, dataset: dataset, maxSeqLen: config.maxSeqLen)
        lastValidation = v
        try PolicyTraining.recordValidation(v, update: update, run: runFolder, bestScore: bestScore, board: board, log: log,
                                                        bar: bar, showProgress: showProgress, setBest: { bestScore = $0 }, save: saveCheckpoint)
        return v
    }
}
