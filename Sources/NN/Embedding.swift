import Tensor

/// `nn.Embedding`: a (count, dim) table of rows, initialised N(0, 1).
public final class Embedding: Module {
    public let weight: Tensor

    public init(_ count: Int, _ dim: Int, rng: inout RandomGenerator) {
        weight = Tensor.randn([count, dim], rng: &rng)
        weight.requiresGrad = true
    }

    public override func ownParameters() -> [(String, Tensor)] { [("weight", weight)] }

    /// Looks up `indices` laid out as `shape`; the result is `shape + [dim]`.
    public func callAsFunction(_ indices: [Int], shape: [Int]) -> Tensor {
        weight.gatherRows(indices, indexShape: shape)
    }
}
