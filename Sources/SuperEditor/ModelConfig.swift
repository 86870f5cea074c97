import Foundation

/// The shape of a `ReconstructionModel`: the reference's keyword arguments, stored as JSON in
/// a checkpoint's `config` metadata.
public struct ReconstructionConfig: Codable, Equatable, Sendable {
    public var nMels = 128
    public var encoderDim = 512
    public var nEncoderLayers = 6
    public var nDecoderLayers = 3
    public var nHeads = 8
    public var dropout: Float = 0.1
    /// The longest sequence the model was trained on (Phase 1's `max_seq_len`). Inference runs
    /// longer sequences in windows of this many frames: positions past it were never trained.
    /// Not a shape: the reference's constructor ignores it, and nil means unknown.
    public var trainedFrames: Int?

    public init(nMels: Int = 128, encoderDim: Int = 512, nEncoderLayers: Int = 6, nDecoderLayers: Int = 3,
                nHeads: Int = 8, dropout: Float = 0.1, trainedFrames: Int? = nil) {
        self.nMels = nMels; self.encoderDim = encoderDim; self.nEncoderLayers = nEncoderLayers
        self.nDecoderLayers = nDecoderLayers; self.nHeads = nHeads; self.dropout = dropout
        self.trainedFrames = trainedFrames
    }

    enum CodingKeys: String, CodingKey {
        case nMels = "n_mels", encoderDim = "encoder_dim", nEncoderLayers = "n_encoder_layers"
        case nDecoderLayers = "n_decoder_layers", nHeads = "n_heads", dropout, trainedFrames = "trained_frames"
    }

    /// Missing keys take the reference's defaults, as its `**kwargs` constructor does.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nMels = try c.decodeIfPresent(Int.self, forKey: .nMels) ?? 128
        encoderDim = try c.decodeIfPresent(Int.self, forKey: .encoderDim) ?? 512
        nEncoderLayers = try c.decodeIfPresent(Int.self, forKey: .nEncoderLayers) ?? 6
        nDecoderLayers = try c.decodeIfPresent(Int.self, forKey: .nDecoderLayers) ?? 3
        nHeads = try c.decodeIfPresent(Int.self, forKey: .nHeads) ?? 8
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0.1
        trainedFrames = try c.decodeIfPresent(Int.self, forKey: .trainedFrames)
    }
}

/// Which policy a checkpoint holds.
public enum PolicyArchitecture: String, Codable, CaseIterable, Sendable {
    /// The guide's `EditPredictor`: per-frame logits from windows of frames.
    case frame
    /// `BeatPolicy`: one decision per beat from the whole track.
    case beat
}

/// The shape of an `EditPredictor`, `ValueNetwork` or `BeatPolicy`. The beat fields are
/// written only for a beat policy, so a frame policy's config stays the reference's keywords.
public struct PredictorConfig: Codable, Equatable, Sendable {
    public var nMels = 128
    public var predictorDim = 256
    public var nLayers = 4
    public var nHeads = 4
    public var dropout: Float = 0.1
    public var architecture = PolicyArchitecture.frame
    /// Beat policy: beats per attention window. A track with more beats is cut into windows
    /// of this many, each of which also attends to the track's summary tokens.
    public var attentionWindow = 512
    /// Beat policy: summary tokens, the means of the beat embeddings over this many equal
    /// parts of the whole track, seen by every window.
    public var globalTokens = 8
    /// Beat policy: how many of `BeatFeatures` it reads (a config saved without the field is
    /// a policy from before the last two, and reads `BeatFeatures.firstRelease`).
    public var beatFeatures = BeatFeatures.defaultCount
    /// Beat policy: the most beats it decides at once (`DecisionWindows`). A longer track is
    /// decided in half-overlapping windows of this many beats, each seen as a whole track, so
    /// that a policy trained on excerpts never meets positions and lengths it has not seen;
    /// 0 decides every track whole. 320 beats is 160 s at 120 BPM, past the longest excerpt
    /// (150 s) the shipped policy was trained on; a config without the field means it.
    public var decisionWindow = PredictorConfig.defaultDecisionWindow
    public static let defaultDecisionWindow = 320
    /// Added to CUT's log-probability (nats) when the policy's decisions are made
    /// (`BeatDecisions.best(cutBias:)`, by `edit` and `evaluate cleanup` unless told another):
    /// 0 after training; `calibrate` sets it from pairs with known defects
    /// (`CutBiasCalibration`). Written only when not 0.
    public var cutBias = 0.0

    public init(nMels: Int = 128, predictorDim: Int = 256, nLayers: Int = 4, nHeads: Int = 4, dropout: Float = 0.1,
                architecture: PolicyArchitecture = .frame, attentionWindow: Int = 512, globalTokens: Int = 8) {
        self.nMels = nMels; self.predictorDim = predictorDim; self.nLayers = nLayers; self.nHeads = nHeads
        self.dropout = dropout; self.architecture = architecture; self.attentionWindow = attentionWindow
        self.globalTokens = globalTokens
    }

    enum CodingKeys: String, CodingKey {
        case nMels = "n_mels", predictorDim = "predictor_dim", nLayers = "n_layers", nHeads = "n_heads", dropout
        case architecture, attentionWindow = "attention_window", globalTokens = "global_tokens", beatFeatures = "beat_features"
        case decisionWindow = "decision_window", cutBias = "cut_bias"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nMels = try c.decodeIfPresent(Int.self, forKey: .nMels) ?? 128
        predictorDim = try c.decodeIfPresent(Int.self, forKey: .predictorDim) ?? 256
        nLayers = try c.decodeIfPresent(Int.self, forKey: .nLayers) ?? 4
        nHeads = try c.decodeIfPresent(Int.self, forKey: .nHeads) ?? 4
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0.1
        architecture = try c.decodeIfPresent(PolicyArchitecture.self, forKey: .architecture) ?? .frame
        attentionWindow = try c.decodeIfPresent(Int.self, forKey: .attentionWindow) ?? 512
        globalTokens = try c.decodeIfPresent(Int.self, forKey: .globalTokens) ?? 8
        beatFeatures = try c.decodeIfPresent(Int.self, forKey: .beatFeatures) ?? BeatFeatures.firstRelease
        guard (1...BeatFeatures.count).contains(beatFeatures) else {
            throw DecodingError.dataCorruptedError(forKey: .beatFeatures, in: c, debugDescription: "beat_features must be 1…\(BeatFeatures.count)")
        }
        decisionWindow = try c.decodeIfPresent(Int.self, forKey: .decisionWindow) ?? Self.defaultDecisionWindow
        guard decisionWindow >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .decisionWindow, in: c, debugDescription: "decision_window must be 0 or more")
        }
        cutBias = try c.decodeIfPresent(Double.self, forKey: .cutBias) ?? 0
        guard cutBias.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: .cutBias, in: c, debugDescription: "cut_bias must be a finite number")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nMels, forKey: .nMels); try c.encode(predictorDim, forKey: .predictorDim)
        try c.encode(nLayers, forKey: .nLayers); try c.encode(nHeads, forKey: .nHeads); try c.encode(dropout, forKey: .dropout)
        if architecture == .beat {
            try c.encode(architecture, forKey: .architecture)
            try c.encode(attentionWindow, forKey: .attentionWindow)
            try c.encode(globalTokens, forKey: .globalTokens)
            try c.encode(beatFeatures, forKey: .beatFeatures)
            // Written only when it is not the default, so checkpoints from before the field keep their bytes.
            if decisionWindow != Self.defaultDecisionWindow { try c.encode(decisionWindow, forKey: .decisionWindow) }
        }
        if cutBias != 0 { try c.encode(cutBias, forKey: .cutBias) }
    }
}

/// The reference's bench presets: model shape plus the batch it is timed with.
public struct ModelPreset: Sendable {
    public let name: String
    public let reconstruction: ReconstructionConfig
    public let sequenceLength: Int
    public let batchSize: Int

    public static let all: [ModelPreset] = [
        ModelPreset(name: "tiny", reconstruction: .init(encoderDim: 64, nEncoderLayers: 2, nDecoderLayers: 1, nHeads: 4),
                    sequenceLength: 256, batchSize: 4),
        ModelPreset(name: "small", reconstruction: .init(encoderDim: 256, nEncoderLayers: 4, nDecoderLayers: 2, nHeads: 4),
                    sequenceLength: 512, batchSize: 8),
        ModelPreset(name: "seed", reconstruction: .init(encoderDim: 512, nEncoderLayers: 6, nDecoderLayers: 3, nHeads: 8),
                    sequenceLength: 1024, batchSize: 2),
    ]

    public static func named(_ name: String) -> ModelPreset? { all.first { $0.name == name } }
}
