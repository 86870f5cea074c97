import NN
import Tensor

/// Phase 1: applies per-frame edit labels to a raw mel. `EditEncoder` + `MelDecoder`, with
/// PAD labels masked out of attention.
public final class ReconstructionModel: Module {
    public let config: ReconstructionConfig
    public let encoder: EditEncoder
    public let decoder: MelDecoder
    public let random: RandomSource

    /// `outputInitScale` scales the initial output projection (1: PyTorch's initialisation; the
    /// trainer uses `Phase1Config.outputInitScale`). Loaded checkpoints overwrite it.
    public init(_ config: ReconstructionConfig, seed: UInt64 = 0, outputInitScale: Float = 1) {
        self.config = config
        var rng = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        encoder = EditEncoder(nMels: config.nMels, dim: config.encoderDim, heads: config.nHeads,
                              layers: config.nEncoderLayers, dropout: config.dropout, random: random, rng: &rng)
        decoder = MelDecoder(nMels: config.nMels, dim: config.encoderDim, heads: config.nHeads,
                             layers: config.nDecoderLayers, dropout: config.dropout, outputInitScale: outputInitScale,
                             random: random, rng: &rng)
    }

    public override func children() -> [(String, Module)] { [("encoder", encoder), ("decoder", decoder)] }

    /// mel (B, T, n_mels) and B·T labels → the edited mel (B, T, n_mels).
    public func callAsFunction(_ mel: Tensor, labels: [Int]) -> Tensor {
        precondition(mel.rank == 3 && labels.count == mel.shape[0] * mel.shape[1],
                     "reconstruction: mel \(mel.shape) with \(labels.count) labels")
        let pad = labels.map { $0 == EditLabel.pad.rawValue }
        let mask = pad.contains(true) ? pad : nil
        return decoder(encoder(mel, labels: labels, padMask: mask), mel: mel, padMask: mask)
    }
}
