import Foundation
import NN
import Tensor

/// RL for the beat policy in which each beat gets credit for its own action.
///
/// An episode is one track and one action per beat, so there is a single step.
/// - Per beat, the reconstruction and label terms of each action come from a
///   `BeatRewardTable` (fixed per track: the reconstruction model is frozen), so any action's
///   per-beat reward is known without running the model again.
/// - The baseline (`rl_baseline`, `BeatAdvantage`): by default (`rloo`) a few labellings are
///   sampled per track and each beat's advantage is its reward less that beat's mean reward in
///   the other samples; `exact` needs no sampling: the advantage of action a at beat b is
///   R_b(a) − Σ π_old(a′) R_b(a′), over all seven actions; `self_critical` baselines by the
///   greedy action.
/// - PPO's clipped ratio is kept: the surrogate is Σ_a w_a · min(ρ_a A, clip(ρ_a) A), with
///   ρ_a = π(a) / π_old(a) and w_a the action's old probability (exact) or its share of the
///   samples (rloo, self_critical).
/// - Duration and smoothness stay sequence terms, in expectation under the factorised policy:
///   the expected KEEP share (exact) in the guide's duration term, and the expected number
///   of label changes between neighbouring beats (exact) in its smoothness term.
/// - KL(π ‖ π_warm) per beat anchors the policy to its supervised warm start; an entropy bonus
///   with the guide's schedule.
public struct ExpectedRewardPPO {
    public let config: Phase2Config

    public struct UpdateStats: Codable, Sendable {
        public var update: Int
        /// The guide's reward (total and four terms) of the greedy beat labels before the update.
        public var reward: Double
        public var rewardTerms: [String: Double]
        /// The objective: expected per-beat terms plus the expected sequence terms.
        public var expectedReward: Double
        public var beatAccuracy: Double
        public var approxKL: Double
        public var klToWarmStart: Double
        public var clipFraction: Double
        public var entropy: Double
        public var entropyCoeff: Double
        public var epochs: Int

        enum CodingKeys: String, CodingKey {
            case update, reward, entropy, epochs
            case rewardTerms = "reward_terms", expectedReward = "expected_reward", beatAccuracy = "beat_accuracy"
            case approxKL = "approx_kl", klToWarmStart = "kl_to_warm_start", clipFraction = "clip_fraction"
            case entropyCoeff = "entropy_coeff"
        }
    }

    /// What one batch of tracks holds for an update.
    public struct Tracks {
        public let batch: PairedMelDataset.Batch
        public let beats: BeatLayout
        public let beatLabels: [Int]
        public let tables: [BeatRewardTable]
        /// In a data-parallel run, where these tracks sit in the whole minibatch (nil: they are
        /// all of it).
        public var share: Share? = nil
    }

    /// A rank's tracks of a minibatch: their rows, the real beats of the whole minibatch, and
    /// those of the tracks before and after this rank's (whose random draws it skips).
    public struct Share {
        public let shard: BatchShard
        public let realBeats: Int
        public let realBeatsBefore: Int
        public let realBeatsAfter: Int

        public init(shard: BatchShard, beatsPerTrack: [Int]) {
            self.shard = shard
            realBeats = beatsPerTrack.reduce(0, +)
            realBeatsBefore = beatsPerTrack[..<shard.offset].reduce(0, +)
            realBeatsAfter = beatsPerTrack[shard.range.upperBound...].reduce(0, +)
        }
    }

    static let actions = EditLabel.actions.count

    /// The seven actions' log-probabilities (B, NB, 7).
    static func actionLogProbabilities(_ policy: BeatPolicy, _ t: Tracks) -> Tensor {
        policy(t.batch.mel, beats: t.beats).logSoftmax().slice(axis: 2, 0..<actions)
    }

    /// Constants per (track, beat, action) and per track that the loss needs.
    struct Constants {
        let advantages: [Float]    // B·NB·7, zero for padding beats
        let surrogateWeights: [Float] // B·NB·7: each action's share of the beat's surrogate
        let realBeats: [Float]     // B·NB
        let keepWeights: [Float]   // B·NB: beat frames / track frames
        let pairWeights: [Float]   // B·(NB−1): 2 / (T − 1) where both beats are real and non-empty
        let trueKeep: [Float]      // B
    }

    /// `rng` draws the sampled baselines' labellings (unused by `exact`).
    func constants(_ t: Tracks, oldLogProbabilities old: [Float], rng: inout RandomGenerator) -> Constants {
        let b = t.beats.batch, nb = t.beats.beats, k = Self.actions
        var adv = [Float](repeating: 0, count: b * nb * k), real = [Float](repeating: 0, count: b * nb)
        var weights = [Float](repeating: 0, count: b * nb * k)
        let baseline = config.effectiveRLBaseline, samples = config.effectiveRLSamples
        var keepW = [Float](repeating: 0, count: b * nb), pairW = [Float](repeating: 0, count: b * max(nb - 1, 0))
        var trueKeep = [Float](repeating: 0, count: b)
        let oldP = old.map { Foundation.exp($0) }
        for i in 0..<b {
            let table = t.tables[i], spans = t.beats.spans[i]
            let frames = Float(max(table.frames, 1))
            for (beat, s) in spans.enumerated() {
                let row = (i * nb + beat) * k
                oldP.withUnsafeBufferPointer { pb in
                    adv.withUnsafeMutableBufferPointer { ab in
                        weights.withUnsafeMutableBufferPointer { wb in
                            BeatAdvantage.estimate(baseline, rewards: table.perBeat[beat], oldProbabilities: pb.baseAddress! + row,
                                                   samples: samples, rng: &rng, weights: wb.baseAddress! + row,
                                                   advantages: ab.baseAddress! + row)
                        }
                    }
                }
                real[i * nb + beat] = 1
                keepW[i * nb + beat] = Float(s.count) / frames
                if table.truth[beat] == .keep { trueKeep[i] += Float(s.count) / frames }
                if beat + 1 < spans.count, !s.isEmpty, !spans[beat + 1].isEmpty, table.frames > 1 {
                    pairW[i * (nb - 1) + beat] = 2 / Float(table.frames - 1)
                }
            }
        }
        return Constants(advantages: adv, surrogateWeights: weights, realBeats: real, keepWeights: keepW, pairWeights: pairW,
                         trueKeep: trueKeep)
    }

    /// The expected sequence terms per track, as a (B) tensor: 3 (1 − |E keep − true keep|)
    /// − 2 E[changes] / (T − 1).
    static func expectedSequenceTerms(_ p: Tensor, _ c: Constants, batch b: Int, beats nb: Int) -> Tensor {
        let keep = p.slice(axis: 2, EditLabel.keep.rawValue..<(EditLabel.keep.rawValue + 1)).reshaped([b, nb])
        let expectedKeep = (keep * Tensor(c.keepWeights, shape: [b, nb])).sum(axes: [1])
        let duration = (1 - (expectedKeep - Tensor(c.trueKeep, shape: [b])).abs()) * 3
        guard nb > 1 else { return duration }
        let same = (p.slice(axis: 1, 0..<(nb - 1)) * p.slice(axis: 1, 1..<nb)).sum(axes: [2])
        let smoothness = -((1 - same) * Tensor(c.pairWeights, shape: [b, nb - 1])).sum(axes: [1])
        return duration + smoothness
    }

    /// One update on a batch of tracks given as minibatches: the old policy's probabilities
    /// of every minibatch first, then `nEpochsPerUpdate` passes over the minibatches, stopping
    /// early when the approximate KL passes `target_kl`. Reports the guide's reward of the
    /// greedy beat labels before the update (scored by `reconstruction`).
    public func update(policy: BeatPolicy, anchor: BeatPolicy?, parameters: ParameterBuffer, optimizer: AdamW,
                       minibatches parts: [Tracks], reconstruction: ReconstructionModel, entropyCoeff entCoef: Float,
                       update u: Int, over group: Collective = SingleProcess()) -> UpdateStats {
        policy.eval()
        let olds = parts.map { t in noGrad { Self.actionLogProbabilities(policy, t) } }
        let anchors = parts.map { t in anchor.map { a in noGrad { Self.actionLogProbabilities(a, t) } } }
        // The sampled baselines draw their labellings once per update, from (seed, update).
        var rng = RandomGenerator(seed: config.seed ^ (UInt64(u + 1) &* 0xA24B_AED4_963E_E407))
        let draws = BeatAdvantage.draws(config.effectiveRLBaseline, samples: config.effectiveRLSamples)
        let cs = zip(parts, olds).map { (t, old) -> Constants in
            for _ in 0..<((t.share?.realBeatsBefore ?? 0) * draws) { _ = rng.next() }
            let c = constants(t, oldLogProbabilities: old.scalars, rng: &rng)
            for _ in 0..<((t.share?.realBeatsAfter ?? 0) * draws) { _ = rng.next() }
            return c
        }
        var rewards: [Reward] = []
        var expected = 0.0, correct = 0, beats = 0, tracks = 0
        for (j, (t, old)) in zip(parts, olds).enumerated() {
            let b = t.beats.batch, nb = t.beats.beats
            let c = cs[j]
            let p = old.exp()
            for i in 0..<b { for (beat, row) in t.tables[i].perBeat.enumerated() {
                for a in 0..<Self.actions { expected += Double(p.data[(i * nb + beat) * Self.actions + a]) * row[a] }
            } }
            expected += Double(Self.expectedSequenceTerms(p, c, batch: b, beats: nb).sum().item)
            var greedy = [Int](repeating: EditLabel.keep.rawValue, count: t.batch.labels.count)
            for i in 0..<b {
                for (beat, s) in t.beats.spans[i].enumerated() {
                    let a = UnsafeBufferPointer(start: old.data + (i * nb + beat) * Self.actions, count: Self.actions).argmax!
                    for f in s { greedy[i * t.beats.frames + f] = a }
                    if a == t.beatLabels[i * nb + beat] { correct += 1 }
                    beats += 1
                }
            }
            rewards += RewardModel.rewards(reconstruction: reconstruction, batch: t.batch, actions: greedy)
            tracks += b
        }
        var kl = 0.0, epochs = 0, clipped = 0.0, counted = 0.0, entropy = 0.0, anchorKL = 0.0, steps = 0
        for epoch in 0..<config.nEpochsPerUpdate {
            epochs = epoch + 1
            var epochKL = 0.0, epochBeats = 0.0
            for (j, t) in parts.enumerated() {
                let s = step(policy: policy, parameters: parameters, optimizer: optimizer, t, old: olds[j].scalars,
                             constants: cs[j], anchor: anchors[j], entropyCoeff: entCoef, over: group)
                epochKL += s.klSum; epochBeats += s.beats
                clipped += s.clipped; counted += s.beats * Double(Self.actions)
                entropy += s.entropy; anchorKL += s.anchorKL; steps += 1
            }
            kl = epochKL / max(epochBeats, 1)
            if kl > Double(config.targetKL) { break }
        }
        // The rollout's figures are sums over the ranks' tracks.
        func total(_ f: (Reward) -> Float) -> Double { rewards.reduce(0) { $0 + Double(f($1)) } }
        let sums = group.sum([total(\.total), total(\.reconstruction), total(\.label), total(\.duration), total(\.smoothness),
                              expected, Double(correct), Double(beats), Double(tracks)])
        let n = max(sums[8], 1)
        return UpdateStats(update: u, reward: sums[0] / n,
                           rewardTerms: ["reconstruction": sums[1] / n, "label": sums[2] / n,
                                         "duration": sums[3] / n, "smoothness": sums[4] / n],
                           expectedReward: sums[5] / n, beatAccuracy: sums[6] / max(sums[7], 1),
                           approxKL: kl, klToWarmStart: anchorKL / Double(max(steps, 1)), clipFraction: clipped / max(counted, 1),
                           entropy: entropy / Double(max(steps, 1)), entropyCoeff: Double(entCoef), epochs: epochs)
    }

    struct StepStats { var klSum = 0.0, beats = 0.0, clipped = 0.0, entropy = 0.0, anchorKL = 0.0 }

    /// One optimiser step on a minibatch of tracks: −(clipped surrogate + expected sequence
    /// terms) + β KL(π ‖ π_warm) − entropy bonus, each per track.
    func step(policy: BeatPolicy, parameters: ParameterBuffer, optimizer: AdamW, _ t: Tracks, old oldLp: [Float],
              constants c: Constants, anchor anchorLp: Tensor?, entropyCoeff entCoef: Float,
              over group: Collective = SingleProcess()) -> StepStats {
        let b = t.beats.batch, nb = t.beats.beats, k = Self.actions
        // Sums over the whole minibatch, when its tracks are split over ranks.
        let whole = BatchReduction(group: group, shard: t.share?.shard)
        policy.random.shard = whole.shard
        defer { policy.random.shard = nil }
        parameters.zeroGrad()
        let lp = Self.actionLogProbabilities(policy, t)
        let p = lp.exp()
        let ratio = (lp - Tensor(oldLp, shape: [b, nb, k])).exp()
        let adv = Tensor(c.advantages, shape: [b, nb, k])
        let lo = 1 - config.clipRatio, hi = 1 + config.clipRatio
        let surrogate = whole.sum((ratio * adv).minimum(ratio.clamp(min: lo, max: hi) * adv) * Tensor(c.surrogateWeights, shape: [b, nb, k]))
        let sequence = whole.sum(Self.expectedSequenceTerms(p, c, batch: b, beats: nb))
        let real = Tensor(c.realBeats, shape: [b, nb])
        let realCount = max(1, t.share.map { Float($0.realBeats) } ?? c.realBeats.reduce(0, +))
        let entropy = -whole.sum((p * lp).sum(axes: [2]) * real) / realCount
        var loss = -(surrogate + sequence) / Float(whole.rows(b)) - entropy * entCoef
        var anchorKL: Float = 0
        if let anchorLp, config.klCoeff > 0 {
            let klA = whole.sum((p * (lp - anchorLp)).sum(axes: [2]) * real) / realCount
            loss = loss + klA * config.klCoeff
            anchorKL = klA.item
        }
        loss.backward()
        parameters.sumGradients(over: group)
        parameters.clipGradNorm(config.maxGradNorm)
        optimizer.update()
        var s = StepStats()
        for row in 0..<(b * nb) where c.realBeats[row] > 0 {
            var klRow = 0.0
            for a in 0..<k {
                let i = row * k + a
                let pOld = Double(Foundation.exp(oldLp[i]))
                klRow += pOld * Double(oldLp[i] - lp.data[i])
                if abs(Double(ratio.data[i]) - 1) > Double(config.clipRatio) { s.clipped += 1 }
            }
            s.klSum += klRow
            s.beats += 1
        }
        if group.size > 1 {
            let sums = group.sum([s.klSum, s.beats, s.clipped])
            (s.klSum, s.beats, s.clipped) = (sums[0], sums[1], sums[2])
        }
        s.entropy = Double(entropy.item)
        s.anchorKL = Double(anchorKL)
        return s
    }
}
