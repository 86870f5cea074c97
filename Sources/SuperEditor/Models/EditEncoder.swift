import NN
import Tensor

/// Mel and labels in, latent out: `fuse(concat(mel_proj(mel), label_embedding(labels)))` plus
/// the sinusoidal position, through a transformer encoder with the key padding mask.
public final class EditEncoder: Module {
    public let melProj: Linear
    public let labelEmbedding: Embedding
    public let fuse: Linear
    public let transformer: TransformerEncoder

    public init(nMels: Int, dim: Int, heads: Int, layers: Int, dropout: Float, random: RandomSource, rng: inout RandomGenerator) {
        melProj = Linear(nMels, dim, rng: &rng)
        labelEmbedding = Embedding(EditLabel.count, 128, rng: &rng)
        fuse = Linear(dim + 128, dim, rng: &rng)
        transformer = TransformerEncoder(dim: dim, heads: heads, layers: layers, dropout: dropout, random: random, rng: &rng)
    }

    public override func children() -> [(String, Module)] {
        [("mel_proj", melProj), ("label_embedding", labelEmbedding), ("fuse", fuse), ("transformer", transformer)]
    }

    /// mel (B, T, n_mels), labels B·T → (B, T, d).
    public func callAsFunction(_ mel: Tensor, labels: [Int], padMask: [Bool]?) -> Tensor {
        let b = mel.shape[0], t = mel.shape[1]
        let fused = fuse(Tensor.concat([melProj(mel), labelEmbedding(labels, shape: [b, t])], axis: -1))
        let h = fused + PositionalEncoding.sinusoidal(length: t, dim: fused.shape[2])
        return transformer(h, keyPaddingMask: padMask)
    }
}
