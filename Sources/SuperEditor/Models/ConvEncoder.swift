import NN
import Tensor

/// The guide's local frame encoder: two GELU convolutions of kernel 5 over time, so each
/// frame sees about ±4 frames (±0.1 s) of its neighbourhood.
public final class ConvEncoder: Module {
    public let conv1: Conv1d
    public let conv2: Conv1d

    public init(nMels: Int, dim: Int, rng: inout RandomGenerator) {
        conv1 = Conv1d(nMels, dim, kernelSize: 5, padding: 2, rng: &rng)
        conv2 = Conv1d(dim, dim, kernelSize: 5, padding: 2, rng: &rng)
    }

    public override func children() -> [(String, Module)] { [("conv1", conv1), ("conv2", conv2)] }

    /// (B, T, n_mels) → (B, T, d).
    public func callAsFunction(_ mel: Tensor) -> Tensor {
        conv2(conv1(mel.transposed(1, 2)).gelu()).gelu().transposed(1, 2)
    }
}
