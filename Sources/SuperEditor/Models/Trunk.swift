import NN
import Tensor

/// The shared body of the policy and the value network: two GELU convolutions over time,
/// the sinusoidal position, and a transformer encoder.
public final class Trunk: Module {
    public let conv1: Conv1d
    public let conv2: Conv1d
    public let transformer: TransformerEncoder

    public init(nMels: Int, dim: Int, heads: Int, layers: Int, dropout: Float, random: RandomSource, rng: inout RandomGenerator) {
        conv1 = Conv1d(nMels, dim, kernelSize: 5, padding: 2, rng: &rng)
        conv2 = Conv1d(dim, dim, kernelSize: 5, padding: 2, rng: &rng)
        transformer = TransformerEncoder(dim: dim, heads: heads, layers: layers, dropout: dropout, random: random, rng: &rng)
    }

    /// The trunk a `PredictorConfig` describes.
    public convenience init(_ config: PredictorConfig, random: RandomSource, rng: inout RandomGenerator) {
        self.init(nMels: config.nMels, dim: config.predictorDim, heads: config.nHeads, layers: config.nLayers,
                  dropout: config.dropout, random: random, rng: &rng)
    }

    public override func children() -> [(String, Module)] {
        [("conv1", conv1), ("conv2", conv2), ("transformer", transformer)]
    }

    /// (B, T, n_mels) → (B, T, d).
    public func callAsFunction(_ mel: Tensor) -> Tensor {
        let h = conv2(conv1(mel.transposed(1, 2)).gelu()).gelu().transposed(1, 2)
        return transformer(h + PositionalEncoding.sinusoidal(length: h.shape[1], dim: h.shape[2]))
    }
}
