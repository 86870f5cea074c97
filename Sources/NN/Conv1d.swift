import Tensor

/// `nn.Conv1d` with stride 1: weight `[out, in, kernel]`, PyTorch's uniform initialisation.
public final class Conv1d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, padding: Int = 0, rng: inout RandomGenerator) {
        let bound = 1 / Float(inChannels * kernelSize).squareRoot()
        weight = Tensor.uniform([outChannels, inChannels, kernelSize], low: -bound, high: bound, rng: &rng)
        bias = Tensor.uniform([outChannels], low: -bound, high: bound, rng: &rng)
        weight.requiresGrad = true
        bias.requiresGrad = true
        self.padding = padding
    }

    public override func ownParameters() -> [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    /// (B, Cin, L) → (B, Cout, L').
    public func callAsFunction(_ x: Tensor) -> Tensor { x.conv1d(weight: weight, bias: bias, padding: padding) }
}
