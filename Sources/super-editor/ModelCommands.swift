import ArgumentParser
import Foundation
import AudioDSP
import SuperEditor

struct Reconstruct: CheckedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply edit labels: to cached features with a reconstruction checkpoint (mel + per-frame labels in, edited mel out), or to an audio file (hand-written per-beat labels JSON in, edited WAV out).",
        discussion: """
        Cached features: reconstruct --checkpoint RECON.safetensors --mel MEL.npy --labels LABELS.npy --out OUT.npy
        Audio:           reconstruct INPUT.wav --labels LABELS.json -o OUT.wav [--render waveform|mel --checkpoint RECON.safetensors]
        """
    )

    @Argument(help: "Audio file to edit with hand-written labels (omit for cached features).")
    var input: String?
    @Option(help: "Reconstruction checkpoint (.safetensors); its config metadata sets the model's shape.")
    var checkpoint: String?
    @Option(help: "Normalised mel, (T, 128) or batched (B, T, 128), float32 .npy.")
    var mel: String?
    @Option(help: "Per-frame labels .npy ((T,) or (B, T)) for a mel, or per-beat labels JSON for audio.")
    var labels: String
    @Option(name: [.customLong("out"), .customShort("o")], help: "Output .npy for a mel, .wav for audio (written atomically).")
    var out: String
    @Option(help: "For audio: waveform (default) or mel (needs --checkpoint).")
    var render: String = "waveform"
    @Flag(help: "Replace an existing output WAV.") var force = false
    @Flag(help: "For a mel: the model's plain forward over the whole sequence, unclamped, as the PyTorch reference's.")
    var raw = false

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        if let input {
            guard let renderer = EditPipeline.Renderer(rawValue: render) else { throw ValidationError("--render must be waveform or mel") }
            try OutputPath.check(URL(fileURLWithPath: out), force: force)
            let beats = try EditExports.readJSON(URL(fileURLWithPath: labels))
            let model = try checkpoint.map { try Checkpoint.loadReconstruction(URL(fileURLWithPath: $0)) }
            var pipeline = EditPipeline()
            pipeline.renderer = renderer
            let r = try pipeline.apply(labels: beats, to: URL(fileURLWithPath: input), reconstruction: model)
            try AudioFile.write(r.audio, sampleRate: r.sampleRate, to: URL(fileURLWithPath: out))
            print(String(format: "%@: %.1f s → %.1f s, %d beats", out, r.input.duration, Double(r.audio.count) / Double(r.sampleRate), r.labels.count))
            return
        }
        guard let checkpoint, let mel else {
            throw ValidationError("give an audio INPUT, or --checkpoint and --mel for cached features")
        }
        let result = try FeatureInference.reconstruct(checkpoint: URL(fileURLWithPath: checkpoint),
                                                      mel: URL(fileURLWithPath: mel), labels: URL(fileURLWithPath: labels), raw: raw)
        try NPY.write(result, to: URL(fileURLWithPath: out))
        print("wrote \(out) \(result.shape)")
    }
}

struct Predict: CheckedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Greedy per-frame labels from a policy checkpoint (frame or beat) for a cached mel."
    )

    @Option(help: "Policy checkpoint (.safetensors).")
    var policy: String
    @Option(help: "Normalised mel, (T, 128) or (B, T, 128), float32 .npy; or a features .npz (mel and beats).")
    var mel: String
    @Option(help: "Beat start times in seconds (.npy, as the cache's labels/ID_beats.npy); a beat policy needs them.")
    var beats: String?
    @Option(name: [.customLong("out"), .customShort("o")], help: "Output labels .npy (int64).")
    var out: String
    @Option(help: "Also write the masked logits (PAD is -inf) to this .npy.")
    var logitsOut: String?

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let (labels, logits) = try FeatureInference.predict(policy: URL(fileURLWithPath: policy), mel: URL(fileURLWithPath: mel),
                                                            beats: beats.map { URL(fileURLWithPath: $0) })
        try NPY.write(labels, to: URL(fileURLWithPath: out))
        if let logitsOut { try NPY.write(logits, to: URL(fileURLWithPath: logitsOut)) }
        print("wrote \(out) \(labels.shape)")
    }
}
