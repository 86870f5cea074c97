import Foundation
import Tensor

/// How RL baselines each beat's reward (`rl_baseline` in the Phase 2 config).
public enum RLBaseline: String, Codable, CaseIterable, Sendable {
    /// The exact expectation over the seven actions under the old policy: no sampling (what a
    /// config without `rl_baseline` means).
    case exact
    /// `rl_samples` labellings sampled per track; each beat's baseline is the mean reward of
    /// that beat in the other samples (REINFORCE leave-one-out; `train policy`'s default).
    case rloo
    /// `rl_samples` labellings sampled per track; each beat's baseline is the reward of the
    /// greedy action (self-critical).
    case selfCritical = "self_critical"
}

/// The per-beat part of the RL objective, for one beat: which actions the clipped surrogate
/// weighs (and how much) and each one's advantage. With `exact` every action is weighed by its
/// old probability; with the sampled baselines only the sampled actions are, by their share of
/// the samples. Because the per-beat reward terms are decomposed, a labelling sampled from the
/// factorised policy is one action per beat, and a beat's leave-one-out baseline needs only
/// that beat's rewards in the other samples.
enum BeatAdvantage {
    /// `rewards` and `oldProbabilities` have one value per action; `weights` and `advantages`
    /// receive one each.
    static func estimate(_ baseline: RLBaseline, rewards r: [Double], oldProbabilities p: UnsafePointer<Float>, samples: Int,
                         rng: inout RandomGenerator, weights w: UnsafeMutablePointer<Float>, advantages adv: UnsafeMutablePointer<Float>) {
        let k = r.count
        for a in 0..<k { w[a] = 0; adv[a] = 0 }
        switch baseline {
        case .exact:
            var mean = 0.0
            for a in 0..<k { mean += Double(p[a]) * r[a] }
            for a in 0..<k { w[a] = p[a]; adv[a] = Float(r[a] - mean) }
        case .rloo, .selfCritical:
            let n = max(2, samples)
            var counts = [Int](repeating: 0, count: k), sum = 0.0
            for _ in 0..<n {
                let a = sample(p, k, &rng)
                counts[a] += 1
                sum += r[a]
            }
            var greedy = 0
            for a in 1..<k where p[a] > p[greedy] { greedy = a }
            for a in 0..<k where counts[a] > 0 {
                w[a] = Float(counts[a]) / Float(n)
                let base = baseline == .rloo ? (sum - r[a]) / Double(n - 1) : r[greedy]
                adv[a] = Float(r[a] - base)
            }
        }
    }

    /// How many random numbers `estimate` draws for one beat (a data-parallel rank skips those
    /// of the other ranks' beats, so that every rank's stream stays the single process's).
    static func draws(_ baseline: RLBaseline, samples: Int) -> Int { baseline == .exact ? 0 : max(2, samples) }

    /// An action drawn from `k` probabilities (the last one takes any rounding remainder).
    static func sample(_ p: UnsafePointer<Float>, _ k: Int, _ rng: inout RandomGenerator) -> Int {
        var u = rng.nextFloat()
        for a in 0..<(k - 1) {
            u -= p[a]
            if u < 0 { return a }
        }
        return k - 1
    }
}
