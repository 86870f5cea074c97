import NN
import Tensor

/// The shared body of the policy and the value network: the `ConvEncoder` over time, the
/// sinusoidal position, and a transformer encoder. The encoder's convolutions keep the
/// reference's names (`conv1`, `conv2` directly under the trunk).
public final class Trunk: Module {
    public let encoder: ConvEncoder
    public let transformer: TransformerEncoder

    public init(nMels: Int, dim: Int, heads: Int, layers: Int, dropout: Float, random: RandomSource, rng: inout RandomGenerator) {
        encoder = ConvEncoder(nMels: nMels, dim: dim, rng: &rng)
        transformer = TransformerEncoder(dim: dim, heads: heads, layers: layers, dropout: dropout, random: random, rng: &rng)
    }

    /// The trunk a `PredictorConfig` describes.
    public convenience init(_ config: PredictorConfig, random: RandomSource, rng: inout RandomGenerator) {
        self.init(nMels: config.nMels, dim: config.predictorDim, heads: config.nHeads, layers: config.nLayers,
                  dropout: config.dropout, random: random, rng: &rng)
    }

    public override func children() -> [(String, Module)] {
        encoder.children() + [("transformer", transformer)]
    }

    /// (B, T, n_mels) → (B, T, d).
    public func callAsFunction(_ mel: Tensor) -> Tensor {
        let h = encoder(mel)
        return transformer(h + PositionalEncoding.sinusoidal(length: h.shape[1], dim: h.shape[2]))
    }
}
