import Foundation
import Tensor

/// `nn.MultiheadAttention` for self-attention with `batch_first=True`: a packed
/// `in_proj_weight` [3d, d] and `in_proj_bias`, then `out_proj`. Attention weights get
/// dropout in training.
public final class MultiHeadAttention: Module {
    public let dim: Int
    public let heads: Int
    public let inProjWeight: Tensor
    public let inProjBias: Tensor
    public let outProj: Linear
    public let dropout: Float
    let random: RandomSource

    public init(dim: Int, heads: Int, dropout: Float, random: RandomSource, rng: inout RandomGenerator) {
        precondition(dim % heads == 0, "d=\(dim) must be divisible by heads=\(heads)")
        self.dim = dim
        self.heads = heads
        // xavier_uniform_ over the packed [3d, d] matrix, zero biases, as PyTorch.
        let bound = (6 / Float(dim + 3 * dim)).squareRoot()
        inProjWeight = Tensor.uniform([3 * dim, dim], low: -bound, high: bound, rng: &rng)
        inProjBias = Tensor.zeros([3 * dim])
        outProj = Linear(dim, dim, rng: &rng)
        outProj.bias!.assign(Tensor.zeros([dim]))
        inProjWeight.requiresGrad = true
        inProjBias.requiresGrad = true
        self.dropout = dropout
        self.random = random
    }

    public override func ownParameters() -> [(String, Tensor)] {
        [("in_proj_weight", inProjWeight), ("in_proj_bias", inProjBias)]
    }
    public override func children() -> [(String, Module)] { [("out_proj", outProj)] }

    /// x: (B, T, d); `keyPaddingMask` has B·T entries, true where a key is padding.
    public func callAsFunction(_ x: Tensor, keyPaddingMask: [Bool]? = nil) -> Tensor {
        let qkv = x.linear(weight: inProjWeight, bias: inProjBias)
        let attended = qkv.multiHeadAttention(heads: heads, keyPaddingMask: keyPaddingMask,
                                              dropout: training ? dropout : 0, rng: &random.generator,
                                              shard: random.shard)
        return outProj(attended)
    }
}
