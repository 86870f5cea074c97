import Foundation

/// Linear warmup from 0 to the base rate, then cosine decay to 0 at `totalSteps`
/// (`get_cosine_schedule_with_warmup`).
public struct WarmupCosineSchedule: Sendable, Codable {
    public var baseRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(baseRate: Float, warmupSteps: Int, totalSteps: Int) {
        self.baseRate = baseRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The rate for the update that follows `step` completed updates.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return baseRate * Float(step) / Float(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        return baseRate * Float(max(0, 0.5 * (1 + Foundation.cos(Double.pi * progress))))
    }
}
