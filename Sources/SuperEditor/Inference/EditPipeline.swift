import AudioDSP
import Foundation
import NN
import Tensor

/// One command's worth of editing: a raw recording in, the edited recording out, with the
/// labels it chose. Analyse (mel, beats, policy), decide per beat, reconstruct, render.
public struct EditPipeline {
    public enum Renderer: String, CaseIterable, Sendable {
        /// The guide's path: Griffin-Lim from the edited mel, denormalised with the input's dB range.
        case mel
        /// The per-beat decisions applied to the input samples (cuts, loops, fades, effect,
        /// crossfades), keeping the original's sound quality.
        case waveform
    }

    public var renderer: Renderer = .waveform
    /// Requested output length in seconds, and the allowed miss.
    public var targetDuration: Double?
    public var slack: Double = 1.0
    /// Time ranges (seconds) that are never cut.
    public var keep: [ClosedRange<Double>] = []
    /// Added to CUT's log-probability before each beat's label is chosen
    /// (`BeatDecisions.best(cutBias:)`): above 0 removes more, below 0 keeps more; nil: the
    /// policy's own (`PredictorConfig.cutBias`, set by `calibrate`).
    public var cutBias: Double?
    public var griffinLimIterations = 32
    /// Longest window the models see at once (attention is quadratic in it).
    public var window = 1024
    /// Called with (stage, fraction done) for long inputs.
    public var progress: ((String, Double) -> Void)?

    public init() {}

    public struct Result {
        public let input: Audio
        public let features: AudioFeatures
        public let beatStartTimes: [Double]
        public let beatEndTimes: [Double]
        public let labels: [EditLabel]
        public let probabilities: [Double]
        /// The reconstruction model's edited mel after the timeline (frames × n_mels).
        public let editedMel: [Float]
        public let editedFrames: Int
        public let audio: [Float]
        public let sampleRate: Int
        /// Output duration the labels imply (seconds).
        public let expectedDuration: Double
    }

    public func run(input url: URL, policy: any PolicyModel, reconstruction: ReconstructionModel) throws -> Result {
        progress?("analyse", 0)
        let audio = try AudioFile.load(url)
        let features = try FeatureExtractor().extract(audio.samples, source: url.path)
        let t = features.frames, m = features.nMels
        guard m == policy.config.nMels, m == reconstruction.config.nMels else {
            throw InputError(url.path, "features have \(m) mel bands, the models \(policy.config.nMels)/\(reconstruction.config.nMels)")
        }
        reconstruction.eval()
        let mel = Tensor(features.mel, shape: [1, t, m])
        progress?("labels", 0)
        let decisions = Self.decisions(features, policy: policy, window: window)
        let hop = Double(features.hopLength) / Double(features.sampleRate)
        let cutBias = self.cutBias ?? policy.config.cutBias
        var labels = decisions.best(cutBias: cutBias)
        let protected = Set(decisions.spans.indices.filter { b in
            let s = Double(decisions.spans[b].lowerBound) * hop, e = Double(decisions.spans[b].upperBound) * hop
            return keep.contains { $0.lowerBound < e && $0.upperBound > s }
        })
        for b in protected where labels[b] == .cut { labels[b] = decisions.bestKept(b) }
        if let target = targetDuration {
            let frames = Int((target / hop).rounded()), slackFrames = max(1, Int((slack / hop).rounded()))
            guard let chosen = decisions.labels(targetFrames: frames, slack: slackFrames, protected: protected, cutBias: cutBias) else {
                let shortest = decisions.outputFrames(decisions.spans.indices.map { protected.contains($0) ? decisions.bestKept($0) : .cut })
                let longest = decisions.outputFrames([EditLabel](repeating: .loop, count: decisions.spans.count))
                throw InputError(url.path, String(format: "target duration %.1f s cannot be reached (possible: %.1f–%.1f s)",
                                                  target, Double(shortest) * hop, Double(longest) * hop))
            }
            labels = chosen
        }
        let probs = zip(decisions.meanProbability, labels).map { $0.0[$0.1.rawValue] }
        return try render(audio: audio, features: features, spans: decisions.spans, labels: labels, probabilities: probs,
                          reconstruction: reconstruction, mel: mel)
    }

    /// The policy's decisions for every beat of the grid `prepare` labels on (`LabelInference.beatGrid`).
    public static func decisions(_ features: AudioFeatures, policy: any PolicyModel, window: Int = 1024) -> BeatDecisions {
        policy.eval()
        let grid = features.beatFrames.isEmpty ? [] : LabelInference().beatGrid(features)
        let logp = policy.trackLogProbabilities(mel: features.mel, frames: features.frames, beatFrames: grid, transient: features.transient,
                                                frameRate: Double(features.sampleRate) / Double(features.hopLength), window: window)
        return logp.withUnsafeBufferPointer {
            BeatDecisions(logProbabilities: $0.baseAddress!, frames: features.frames, beatFrames: grid)
        }
    }

    /// Applies hand-written per-beat labels (as `edit --labels-out` writes them, checked by
    /// `EditExports.readJSON`) to a recording.
    /// The waveform renderer needs no model; the mel renderer needs `reconstruction`.
    public func apply(labels beatLabels: [EditExports.BeatLabel], to url: URL, reconstruction: ReconstructionModel?) throws -> Result {
        let audio = try AudioFile.load(url)
        let features = try FeatureExtractor().extract(audio.samples, source: url.path)
        let hop = Double(features.hopLength) / Double(features.sampleRate)
        let starts = beatLabels.map { Int(($0.start / hop).rounded()) }
        // EditExports.readJSON has checked the names and that the starts increase.
        let spans = EditTimeline.beatSpans(positions: starts, total: features.frames)
        let labels = beatLabels.map { EditLabel(name: $0.label) ?? .keep }
        if renderer == .mel && reconstruction == nil {
            throw InputError(url.path, "--render mel needs a reconstruction checkpoint")
        }
        let mel = Tensor(features.mel, shape: [1, features.frames, features.nMels])
        return try render(audio: audio, features: features, spans: spans, labels: labels,
                          probabilities: [Double](repeating: 1, count: labels.count), reconstruction: reconstruction, mel: mel)
    }

    func render(audio: Audio, features: AudioFeatures, spans: [Range<Int>], labels: [EditLabel], probabilities: [Double],
                reconstruction: ReconstructionModel?, mel: Tensor) throws -> Result {
        let t = features.frames, m = features.nMels
        let hop = Double(features.hopLength) / Double(features.sampleRate)
        var frameLabels = [Int](repeating: EditLabel.keep.rawValue, count: t)
        for (span, l) in zip(spans, labels) { for f in span { frameLabels[f] = l.rawValue } }
        let order = EditTimeline.segments(spans: spans, labels: labels).flatMap { Array($0) }
        var editedMel = [Float](repeating: 0, count: order.count * m)
        if let reconstruction {
            let edited = try windows(t) { range, done in
                progress?("reconstruct", done)
                return reconstruction.infer(mel.slice(axis: 1, range), labels: Array(frameLabels[range]))
            }
            for (i, f) in order.enumerated() { for j in 0..<m { editedMel[i * m + j] = edited[f * m + j] } }
        } else {
            for (i, f) in order.enumerated() { for j in 0..<m { editedMel[i * m + j] = features.mel[f * m + j] } }
        }
        let beatStarts = spans.map { Double($0.lowerBound) * hop }
        let beatEnds = spans.map { Double($0.upperBound) * hop }
        let editor = WaveformEditor(sampleRate: audio.sampleRate)
        // Beat boundaries in samples are the frame boundaries, so both renderers cut at the same places.
        let beatTimes = spans.map { Double($0.lowerBound * features.hopLength) / Double(audio.sampleRate) }
        let expected = editor.outputLength(sampleCount: audio.samples.count, beatTimes: beatTimes, labels: labels)
        progress?("render", 0)
        let out: [Float]
        switch renderer {
        case .waveform:
            out = editor.apply(audio.samples, beatTimes: beatTimes, labels: labels)
        case .mel:
            let inv = MelInversion(sampleRate: features.sampleRate, hop: features.hopLength, nMels: m,
                                   griffinLimIterations: griffinLimIterations)
            // Griffin-Lim's length must fit its frame count (1 + length / hop frames); the labels'
            // length differs from that by less than a hop, and the result is padded to it.
            let f = order.count, h = features.hopLength
            let fitted = max((f - 1) * h, min(expected, f * h - 1))
            var y = f > 1 ? inv.audio(normalisedMel: editedMel.map { min(max($0, 0), 1) }, frames: f,
                                      dbMin: features.dbMin, dbMax: features.dbMax, length: fitted, initialisation: .zeroPhase) : []
            y = Array(y.prefix(expected)) + [Float](repeating: 0, count: max(0, expected - y.count))
            // The mel is relative to its loudest bin; give the result the input's peak level.
            let peakIn = audio.samples.reduce(Float(0)) { max($0, abs($1)) }, peakOut = y.reduce(Float(0)) { max($0, abs($1)) }
            if peakOut > 0 { for i in y.indices { y[i] *= peakIn / peakOut } }
            out = y
        }
        progress?("render", 1)
        return Result(input: audio, features: features, beatStartTimes: beatStarts, beatEndTimes: beatEnds, labels: labels,
                      probabilities: probabilities, editedMel: editedMel, editedFrames: order.count, audio: out,
                      sampleRate: audio.sampleRate, expectedDuration: Double(expected) / Double(audio.sampleRate))
    }

    /// Runs `body` over consecutive windows of at most `window` frames and joins the rows.
    func windows(_ t: Int, _ body: (Range<Int>, Double) throws -> Tensor) throws -> [Float] {
        try windowedRows(t, window: window) { try body($0, Double($0.lowerBound) / Double(t)) }
    }
}
