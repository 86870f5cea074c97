import NN
import Tensor

/// Phase 2's beat-level policy: one decision per beat, made with the whole track in view.
///
/// - `ConvEncoder` over the frames, then the mean of each beat's frames (`BeatLayout`);
/// - plus a projection of the beat's `BeatFeatures` (where it sits in the track, its
///   loudness against the track) and the sinusoidal position of the beat's index;
/// - a transformer over the beats. Attention cost: a track's beats are cut into windows of
///   `attention_window` beats (512 by default: every beat of a track up to about four minutes
///   at 120 BPM sees every other); each window also attends to `global_tokens` summary
///   tokens, the means of the beat embeddings over that many equal parts of the whole track.
///   So the cost is O(NB · (window + tokens)) instead of O(NB²), and no beat is blind to the
///   rest of the song;
/// - per-beat logits over the eight labels, PAD masked to -inf.
public final class BeatPolicy: Module {
    public let config: PredictorConfig
    public let encoder: ConvEncoder
    public let featureProjection: Linear
    public let transformer: TransformerEncoder
    public let head: Linear
    public let random: RandomSource

    public init(_ config: PredictorConfig, seed: UInt64 = 0) {
        precondition(config.architecture == .beat, "BeatPolicy needs a beat config")
        self.config = config
        var rng = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        let d = config.predictorDim
        encoder = ConvEncoder(nMels: config.nMels, dim: d, rng: &rng)
        featureProjection = Linear(config.beatFeatures, d, rng: &rng)
        transformer = TransformerEncoder(dim: d, heads: config.nHeads, layers: config.nLayers, dropout: config.dropout,
                                         random: random, rng: &rng)
        head = Linear(d, EditLabel.count, rng: &rng)
    }

    public override func children() -> [(String, Module)] {
        [("encoder", encoder), ("feature_projection", featureProjection), ("transformer", transformer), ("head", head)]
    }

    /// (B, T, n_mels) and the batch's beats → per-beat logits (B, NB, 8).
    public func callAsFunction(_ mel: Tensor, beats layout: BeatLayout) -> Tensor {
        let b = layout.batch, nb = layout.beats, d = config.predictorDim
        let pooled = layout.toBeats(encoder(mel, lengths: layout.lengths))
        let x = pooled + featureProjection(layout.features(first: config.beatFeatures)) + PositionalEncoding.sinusoidal(length: nb, dim: d)
        let windows = BeatWindows(layout: layout, window: config.attentionWindow, globalTokens: config.globalTokens)
        let summary = x.reshaped([b * nb, d]).segmentMean(windows.summarySegments, segmentShape: [b, windows.tokens])
        // Rows of [summary tokens; beats] per track, gathered into (B·C, G + W, d) windows.
        let table = Tensor.concat([summary, x], axis: 1).reshaped([b * (windows.tokens + nb), d])
        let seq = table.gatherRows(windows.rows, indexShape: [windows.count, windows.length])
        let attended = transformer(seq, keyPaddingMask: windows.padding)
        let beatsOut = attended.reshaped([windows.count * windows.length, d]).gatherRows(windows.beatRows, indexShape: [b, nb])
        return head(beatsOut).maskedFill(EditPredictor.padMask, value: -.infinity)
    }

    /// Per-frame logits (B, T, 8): each frame carries its beat's.
    public func frameLogits(_ mel: Tensor, beats layout: BeatLayout) -> Tensor {
        layout.toFrames(self(mel, beats: layout))
    }
}

/// How `BeatPolicy` lays a batch's beats into attention windows: for each track C windows of
/// at most `window` beats, each preceded by the track's `tokens` summary tokens.
struct BeatWindows {
    let tokens: Int
    let length: Int
    /// Windows over the whole batch (B·C).
    let count: Int
    /// (count · length) rows of the per-track [summary; beats] table; padding points at row 0.
    let rows: [Int]
    /// (count · length): true for padding positions.
    let padding: [Bool]
    /// (B · NB): each beat's row in the attended windows (padding beats point at row 0).
    let beatRows: [Int]
    /// (B · tokens): beat rows of the flattened (B·NB) beats that each summary token averages.
    let summarySegments: [Range<Int>]

    init(layout: BeatLayout, window: Int, globalTokens: Int) {
        let b = layout.batch, nb = layout.beats
        tokens = globalTokens
        let perWindow = max(1, min(window, nb))
        let c = max(1, (nb + perWindow - 1) / perWindow)
        length = tokens + perWindow
        count = b * c
        var rows = [Int](repeating: 0, count: b * c * length), padding = [Bool](repeating: true, count: b * c * length)
        var beatRows = [Int](repeating: 0, count: b * nb)
        var summary = [Range<Int>](repeating: 0..<0, count: b * tokens)
        for i in 0..<b {
            let real = layout.spans[i].count
            let tableBase = i * (tokens + nb)
            for g in 0..<tokens {
                summary[i * tokens + g] = (i * nb + g * real / tokens)..<(i * nb + max((g + 1) * real / tokens, g * real / tokens + 1))
                if real == 0 { summary[i * tokens + g] = 0..<0 }
            }
            for w in 0..<c {
                let base = (i * c + w) * length
                for g in 0..<tokens { rows[base + g] = tableBase + g; padding[base + g] = false }
                for k in 0..<perWindow {
                    let beat = w * perWindow + k
                    guard beat < real else { continue }
                    rows[base + tokens + k] = tableBase + tokens + beat
                    padding[base + tokens + k] = false
                    beatRows[i * nb + beat] = base + tokens + k
                }
            }
        }
        self.rows = rows
        self.padding = padding
        self.beatRows = beatRows
        summarySegments = summary
    }
}
