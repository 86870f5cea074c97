import Tensor

/// `nn.LayerNorm` over the last axis, eps 1e-5, weight ones and bias zeros.
public final class LayerNorm: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let eps: Float

    public init(_ dim: Int, eps: Float = 1e-5) {
        weight = Tensor.ones([dim]); weight.requiresGrad = true
        bias = Tensor.zeros([dim]); bias.requiresGrad = true
        self.eps = eps
    }

    public override func ownParameters() -> [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}
