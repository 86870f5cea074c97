import Tensor

/// `nn.TransformerEncoderLayer(d, heads, 4·d, dropout, batch_first=True)`: post-norm, ReLU.
public final class TransformerEncoderLayer: Module {
    public let selfAttn: MultiHeadAttention
    public let linear1: Linear
    public let linear2: Linear
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    let dropout: Dropout
    let dropout1: Dropout
    let dropout2: Dropout

    public init(dim: Int, heads: Int, feedForward: Int, dropout p: Float, random: RandomSource, rng: inout RandomGenerator) {
        selfAttn = MultiHeadAttention(dim: dim, heads: heads, dropout: p, random: random, rng: &rng)
        linear1 = Linear(dim, feedForward, rng: &rng)
        linear2 = Linear(feedForward, dim, rng: &rng)
        norm1 = LayerNorm(dim)
        norm2 = LayerNorm(dim)
        dropout = Dropout(p, random: random)
        dropout1 = Dropout(p, random: random)
        dropout2 = Dropout(p, random: random)
    }

    public override func children() -> [(String, Module)] {
        [("self_attn", selfAttn), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
         ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    public func callAsFunction(_ x: Tensor, keyPaddingMask: [Bool]? = nil) -> Tensor {
        let h = x.addLayerNorm(dropout1(selfAttn(x, keyPaddingMask: keyPaddingMask)), weight: norm1.weight, bias: norm1.bias, eps: norm1.eps)
        let f = dropout(h.linearReLU(weight: linear1.weight, bias: linear1.bias))
        return h.addLayerNorm(dropout2(linear2(f)), weight: norm2.weight, bias: norm2.bias, eps: norm2.eps)
    }
}

/// `nn.TransformerEncoder`: a stack of layers named `layers.0`, `layers.1`, …
public final class TransformerEncoder: Module {
    public let layers: [TransformerEncoderLayer]

    public init(dim: Int, heads: Int, layers n: Int, dropout: Float, random: RandomSource, rng: inout RandomGenerator) {
        layers = (0..<n).map { _ in
            TransformerEncoderLayer(dim: dim, heads: heads, feedForward: 4 * dim, dropout: dropout, random: random, rng: &rng)
        }
    }

    public override func children() -> [(String, Module)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element) }
    }

    public func callAsFunction(_ x: Tensor, keyPaddingMask: [Bool]? = nil) -> Tensor {
        layers.reduce(x) { $1($0, keyPaddingMask: keyPaddingMask) }
    }
}
