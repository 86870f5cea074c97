import NN
import Tensor

/// Phase 2's critic: one value per sequence from the time-averaged trunk output.
public final class ValueNetwork: Module {
    public let config: PredictorConfig
    public let trunk: Trunk
    public let head: Linear
    public let random: RandomSource

    public init(_ config: PredictorConfig, seed: UInt64 = 0) {
        self.config = config
        var rng = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        trunk = Trunk(config, random: random, rng: &rng)
        head = Linear(config.predictorDim, 1, rng: &rng)
    }

    public override func children() -> [(String, Module)] { [("trunk", trunk), ("head", head)] }

    /// (B, T, n_mels) → (B).
    public func callAsFunction(_ mel: Tensor) -> Tensor {
        head(trunk(mel).mean(axes: [1])).squeezed(-1)
    }
}
