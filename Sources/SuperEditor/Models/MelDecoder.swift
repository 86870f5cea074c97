import NN
import Tensor

/// Latent to mel: a transformer, `out_proj`, and the raw mel added back with a learnable
/// weight `alpha`.
public final class MelDecoder: Module {
    public let transformer: TransformerEncoder
    public let outProj: Linear
    public let alpha: Tensor

    public init(nMels: Int, dim: Int, heads: Int, layers: Int, dropout: Float, random: RandomSource, rng: inout RandomGenerator) {
        transformer = TransformerEncoder(dim: dim, heads: heads, layers: layers, dropout: dropout, random: random, rng: &rng)
        outProj = Linear(dim, nMels, rng: &rng)
        alpha = Tensor(scalar: 1)
        alpha.requiresGrad = true
    }

    public override func ownParameters() -> [(String, Tensor)] { [("alpha", alpha)] }
    public override func children() -> [(String, Module)] { [("transformer", transformer), ("out_proj", outProj)] }

    public func callAsFunction(_ latent: Tensor, mel: Tensor, padMask: [Bool]?) -> Tensor {
        outProj(transformer(latent, keyPaddingMask: padMask)) + alpha * mel
    }
}
