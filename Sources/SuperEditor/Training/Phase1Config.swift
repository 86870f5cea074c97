import Foundation
import NN
import Tensor

/// The guide's `Phase1Config`, with its field names in JSON, plus the step counts a run needs.
public struct Phase1Config: Codable, Equatable, Sendable {
    // Model
    public var encoderDim = 512
    public var decoderDim = 512
    public var nEncoderLayers = 6
    public var nDecoderLayers = 3
    public var nHeads = 8
    public var dropout: Float = 0.1
    // Audio
    public var nMels = 128
    public var sampleRate = 22050
    public var hopLength = 512
    // Training
    public var learningRate: Float = 1e-4
    public var batchSize = 8
    public var maxSeqLen = 2048
    public var gradientClip: Float = 1.0
    // Loss weights
    public var l1Weight: Float = 1.0
    public var mseWeight: Float = 0.0
    public var stftWeight: Float = 1.0
    public var consistencyWeight: Float = 0.5
    // LR schedule
    public var warmupSteps = 1000
    public var totalSteps = 100_000
    // Run
    public var validateEvery = 500
    public var seed: UInt64 = 0
    /// Clamp the model's output at 0 in the loss, and to [0, 1] (the normalised mel's range) in
    /// evaluation. Silence (CUT frames, the −80 dB floor) is exactly 0 in the target, and the
    /// STFT loss's log-magnitude term (ε = 1e-8) only sees it matched by an exact 0.
    public var clampOutput = true
    /// The output projection's initial scale against PyTorch's default (1). At 0 the untrained
    /// model is the identity on the mel (out = alpha · mel, alpha = 1), so KEEP frames start
    /// right and stay right, instead of having to learn to cancel a random projection.
    public var outputInitScale: Float = 0

    public init() {}

    /// What the training loss sees of the model's output. Only the floor is clamped: a clamp at
    /// 1 passes no gradient above it, and output bins that overshot 1 early on CUT frames
    /// stayed there, clamped to 1 against a target of 0 (validation STFT loss 1.33 against
    /// 0.48 clamping only at 0, after 3000 steps). Above 1 the loss pulls the output down by itself, since the
    /// target never exceeds 1.
    public func lossInput(_ output: Tensor) -> Tensor { clampOutput ? output.clamp(min: 0) : output }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case encoderDim = "encoder_dim", decoderDim = "decoder_dim", nEncoderLayers = "n_encoder_layers"
        case nDecoderLayers = "n_decoder_layers", nHeads = "n_heads", dropout
        case nMels = "n_mels", sampleRate = "sample_rate", hopLength = "hop_length"
        case learningRate = "learning_rate", batchSize = "batch_size", maxSeqLen = "max_seq_len"
        case gradientClip = "gradient_clip"
        case l1Weight = "l1_weight", mseWeight = "mse_weight", stftWeight = "stft_weight"
        case consistencyWeight = "consistency_weight"
        case warmupSteps = "warmup_steps", totalSteps = "total_steps"
        case validateEvery = "validate_every", seed
        case clampOutput = "clamp_output", outputInitScale = "output_init_scale"
    }

    /// Fields missing from a JSON file keep the guide's defaults; unknown fields are an error,
    /// so that a typo does not silently train something else.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Phase1Config()
        encoderDim = try c.decodeIfPresent(Int.self, forKey: .encoderDim) ?? d.encoderDim
        decoderDim = try c.decodeIfPresent(Int.self, forKey: .decoderDim) ?? encoderDim
        nEncoderLayers = try c.decodeIfPresent(Int.self, forKey: .nEncoderLayers) ?? d.nEncoderLayers
        nDecoderLayers = try c.decodeIfPresent(Int.self, forKey: .nDecoderLayers) ?? d.nDecoderLayers
        nHeads = try c.decodeIfPresent(Int.self, forKey: .nHeads) ?? d.nHeads
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? d.dropout
        nMels = try c.decodeIfPresent(Int.self, forKey: .nMels) ?? d.nMels
        sampleRate = try c.decodeIfPresent(Int.self, forKey: .sampleRate) ?? d.sampleRate
        hopLength = try c.decodeIfPresent(Int.self, forKey: .hopLength) ?? d.hopLength
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        maxSeqLen = try c.decodeIfPresent(Int.self, forKey: .maxSeqLen) ?? d.maxSeqLen
        gradientClip = try c.decodeIfPresent(Float.self, forKey: .gradientClip) ?? d.gradientClip
        l1Weight = try c.decodeIfPresent(Float.self, forKey: .l1Weight) ?? d.l1Weight
        mseWeight = try c.decodeIfPresent(Float.self, forKey: .mseWeight) ?? d.mseWeight
        stftWeight = try c.decodeIfPresent(Float.self, forKey: .stftWeight) ?? d.stftWeight
        consistencyWeight = try c.decodeIfPresent(Float.self, forKey: .consistencyWeight) ?? d.consistencyWeight
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? d.warmupSteps
        totalSteps = try c.decodeIfPresent(Int.self, forKey: .totalSteps) ?? d.totalSteps
        validateEvery = try c.decodeIfPresent(Int.self, forKey: .validateEvery) ?? d.validateEvery
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        clampOutput = try c.decodeIfPresent(Bool.self, forKey: .clampOutput) ?? d.clampOutput
        outputInitScale = try c.decodeIfPresent(Float.self, forKey: .outputInitScale) ?? d.outputInitScale
        if let p = fieldProblem { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: p)) }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let raw = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = raw.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            let hint = unknown == "validation_fraction" ? " (the split belongs to the cache: `prepare --validation-fraction`)" : ""
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown field '\(unknown)'\(hint)"))
        }
    }

    /// Checks that every field means something for this run before anything is built: the
    /// reference model has one width (`decoder_dim` must equal `encoder_dim`), and the audio
    /// settings must be those the cache's features were made with.
    public func validate(against dataset: PairedMelDataset) throws {
        if let p = fieldProblem { throw InputError("config", p) }
        guard encoderDim % nHeads == 0 else {
            throw InputError("config", "encoder_dim \(encoderDim) is not divisible by n_heads \(nHeads)")
        }
        guard decoderDim == encoderDim else {
            throw InputError("config", "decoder_dim \(decoderDim) must equal encoder_dim \(encoderDim): the model's decoder runs at the encoder's width")
        }
        guard nMels == dataset.nMels else { throw InputError(dataset.cache.path, "cache has \(dataset.nMels) mel bands, config \(nMels)") }
        guard sampleRate == dataset.sampleRate, hopLength == dataset.hopLength else {
            throw InputError(dataset.cache.path, "cache features are at \(dataset.sampleRate) Hz with hop \(dataset.hopLength), config says \(sampleRate) Hz and hop \(hopLength)")
        }
    }

    /// A size, count or interval out of range, in words (see `ConfigFile.problem`).
    var fieldProblem: String? {
        ConfigFile.problem(positive: [("encoder_dim", encoderDim), ("decoder_dim", decoderDim), ("n_encoder_layers", nEncoderLayers),
                                      ("n_decoder_layers", nDecoderLayers), ("n_heads", nHeads), ("n_mels", nMels),
                                      ("sample_rate", sampleRate), ("hop_length", hopLength), ("batch_size", batchSize),
                                      ("max_seq_len", maxSeqLen), ("total_steps", totalSteps), ("validate_every", validateEvery)],
                           nonNegative: [("warmup_steps", warmupSteps)])
    }

    /// The model shape this config trains.
    public var model: ReconstructionConfig {
        ReconstructionConfig(nMels: nMels, encoderDim: encoderDim, nEncoderLayers: nEncoderLayers,
                             nDecoderLayers: nDecoderLayers, nHeads: nHeads, dropout: dropout, trainedFrames: maxSeqLen)
    }

    /// The same run over `steps` steps: warmup and the validation interval keep their share of
    /// the run, and the cosine ends at the new last step, so a shorter or longer run is still a
    /// whole warmup-then-decay schedule rather than a truncated or flat-tailed one.
    public func rescaled(toSteps steps: Int) -> Phase1Config {
        precondition(steps > 0, "steps must be positive")
        var c = self
        let factor = Double(steps) / Double(max(1, totalSteps))
        c.totalSteps = steps
        // Clamped in floating point first: a huge field times the factor must not overflow Int.
        c.warmupSteps = max(1, Int(min(Double(steps), (Double(warmupSteps) * factor).rounded())))
        c.validateEvery = max(1, Int(min(Double(Int32.max), (Double(validateEvery) * factor).rounded())))
        return c
    }

    public var lossWeights: Phase1LossWeights {
        Phase1LossWeights(l1: l1Weight, mse: mseWeight, stft: stftWeight, consistency: consistencyWeight)
    }

    /// Presets sized for a 2-core CPU: `tiny` and `small` train in minutes on synthetic data;
    /// `seed` is the guide's model shape.
    public static func preset(_ name: String) -> Phase1Config? {
        var c = Phase1Config()
        switch name {
        case "tiny":
            c.encoderDim = 64; c.decoderDim = 64; c.nEncoderLayers = 2; c.nDecoderLayers = 1; c.nHeads = 4
            c.batchSize = 8; c.maxSeqLen = 256; c.learningRate = 1e-3; c.warmupSteps = 100; c.totalSteps = 1500
            c.validateEvery = 250
        case "small":
            c.encoderDim = 128; c.decoderDim = 128; c.nEncoderLayers = 3; c.nDecoderLayers = 2; c.nHeads = 4
            c.batchSize = 8; c.maxSeqLen = 384; c.learningRate = 5e-4; c.warmupSteps = 100; c.totalSteps = 1000
            c.validateEvery = 250
        case "seed":
            c.batchSize = 2; c.maxSeqLen = 1024; c.warmupSteps = 1000; c.totalSteps = 100_000
        default:
            return nil
        }
        return c
    }

    public static let presetNames = ["tiny", "small", "seed"]

    public static func load(_ url: URL) throws -> Phase1Config { try ConfigFile.load(url) }
}

/// Reads a JSON config file, turning decoding failures into a one-line error on the file.
enum ConfigFile {
    /// The first integer field that must be positive (a size, a count, an interval) but is
    /// not, or that must be at least 0 (`nonNegative`) but is not: zero heads or a negative
    /// batch would trap later instead of being an error now.
    static func problem(positive: [(String, Int)], nonNegative: [(String, Int)] = []) -> String? {
        if let (name, v) = positive.first(where: { $0.1 <= 0 }) { return "\(name) must be positive, got \(v)" }
        if let (name, v) = nonNegative.first(where: { $0.1 < 0 }) { return "\(name) must not be negative, got \(v)" }
        return nil
    }

    static func load<C: Decodable>(_ url: URL) throws -> C {
        guard let data = try? Data(contentsOf: url) else { throw InputError(url.path, "cannot read config file") }
        do { return try JSONDecoder().decode(C.self, from: data) } catch let DecodingError.dataCorrupted(ctx) {
            throw InputError(url.path, "invalid config: \(ctx.debugDescription)")
        } catch {
            throw InputError(url.path, "invalid config: \(error)")
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
