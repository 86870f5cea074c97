import NN
import Tensor

/// Latent to mel: a transformer, `out_proj`, and the raw mel added back with a learnable
/// weight `alpha`.
///
/// `outputInitScale` multiplies `out_proj`'s PyTorch initialisation. At 0 the untrained model
/// returns exactly `alpha · mel` = the raw mel, which is the right answer on every KEEP frame;
/// training then only has to learn the edits (see `Phase1Config.outputInitScale`).
public final class MelDecoder: Module {
    public let transformer: TransformerEncoder
    public let outProj: Linear
    public let alpha: Tensor

    public init(nMels: Int, dim: Int, heads: Int, layers: Int, dropout: Float, outputInitScale: Float = 1,
                random: RandomSource, rng: inout RandomGenerator) {
        transformer = TransformerEncoder(dim: dim, heads: heads, layers: layers, dropout: dropout, random: random, rng: &rng)
        outProj = Linear(dim, nMels, rng: &rng)
        if outputInitScale != 1 {
            for p in [outProj.weight] + (outProj.bias.map { [$0] } ?? []) {
                for i in 0..<p.count { p.data[i] *= outputInitScale }
            }
        }
        alpha = Tensor(scalar: 1)
        alpha.requiresGrad = true
    }

    public override func ownParameters() -> [(String, Tensor)] { [("alpha", alpha)] }
    public override func children() -> [(String, Module)] { [("transformer", transformer), ("out_proj", outProj)] }

    public func callAsFunction(_ latent: Tensor, mel: Tensor, padMask: [Bool]?) -> Tensor {
        outProj(transformer(latent, keyPaddingMask: padMask)) + alpha * mel
    }
}
