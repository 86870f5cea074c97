import NN
import Tensor

/// Phase 2's policy: per-frame logits over the eight labels, with PAD masked to -inf so it
/// is never chosen.
public final class EditPredictor: Module {
    public let config: PredictorConfig
    public let trunk: Trunk
    public let head: Linear
    public let random: RandomSource

    public init(_ config: PredictorConfig, seed: UInt64 = 0) {
        self.config = config
        var rng = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        trunk = Trunk(config, random: random, rng: &rng)
        head = Linear(config.predictorDim, EditLabel.count, rng: &rng)
    }

    public override func children() -> [(String, Module)] { [("trunk", trunk), ("head", head)] }

    static let padMask = EditLabel.allCases.map { $0 == .pad }

    /// (B, T, n_mels) → logits (B, T, 8).
    public func callAsFunction(_ mel: Tensor) -> Tensor {
        head(trunk(mel)).maskedFill(EditPredictor.padMask, value: -.infinity)
    }
}
