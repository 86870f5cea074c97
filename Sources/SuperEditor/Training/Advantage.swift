/// Generalised advantage estimation over one trajectory: δₜ = rₜ + γ·V(sₜ₊₁)·(1−doneₜ) − V(sₜ),
/// Aₜ = δₜ + γλ(1−doneₜ)·Aₜ₊₁; returns Aₜ + V(sₜ). Phase 2's episodes are one step long,
/// where this reduces to A = r − V.
public enum Advantage {
    public static func gae(rewards: [Float], values: [Float], dones: [Bool], lastValue: Float = 0,
                           gamma: Float, lambda: Float) -> (advantages: [Float], returns: [Float]) {
        let n = rewards.count
        var adv = [Float](repeating: 0, count: n)
        var next: Float = 0
        for t in stride(from: n - 1, through: 0, by: -1) {
            let nextValue = t == n - 1 ? lastValue : values[t + 1]
            let notDone: Float = dones[t] ? 0 : 1
            let delta = rewards[t] + gamma * nextValue * notDone - values[t]
            next = delta + gamma * lambda * notDone * next
            adv[t] = next
        }
        return (adv, zip(adv, values).map(+))
    }

    /// Zero mean, unit standard deviation (unchanged when the spread is ~0).
    public static func normalized(_ a: [Float]) -> [Float] {
        let n = Float(a.count)
        let mean = a.reduce(0, +) / n
        let std = (a.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        return std > 1e-6 ? a.map { ($0 - mean) / std } : a.map { $0 - mean }
    }
}
