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

    /// (B, T, n_mels) → (B, T, d). With `lengths`, the first convolution's output is zeroed
    /// past each sequence's end, so that the second sees there what it sees at the end of an
    /// unpadded sequence (its zero padding) and a padded track encodes as it does alone.
    public func callAsFunction(_ mel: Tensor, lengths: [Int]? = nil) -> Tensor {
        var h = conv1(mel.transposed(1, 2)).gelu()
        if let lengths {
            let b = mel.shape[0], t = mel.shape[1]
            var mask = [Float](repeating: 0, count: b * t)
            for i in 0..<b { for f in 0..<min(lengths[i], t) { mask[i * t + f] = 1 } }
            h = h * Tensor(mask, shape: [b, 1, t])
        }
        return conv2(h).gelu().transposed(1, 2)
    }
}
