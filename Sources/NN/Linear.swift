import Tensor

/// `nn.Linear`: y = x Wᵀ + b with weight `[out, in]`, initialised as PyTorch does
/// (uniform in ±1/√in).
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, rng: &rng)
        self.bias = bias ? Tensor.uniform([outFeatures], low: -bound, high: bound, rng: &rng) : nil
        weight.requiresGrad = true
        self.bias?.requiresGrad = true
    }

    public override func ownParameters() -> [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }
}
