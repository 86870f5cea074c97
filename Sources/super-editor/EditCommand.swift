import ArgumentParser
import Foundation
import SuperEditor

struct Edit: CheckedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit a raw recording: predict per-beat labels, reconstruct, and render the edited audio."
    )

    @Argument(help: "Raw audio (WAV, FLAC, OGG, MP3).") var input: String
    @Option(name: [.customShort("o"), .customLong("out")], help: "Edited WAV.") var out: String
    @Option(help: "Policy checkpoint (Phase 2); default: the shipped model (see `info`).") var policy: String?
    @Option(help: "Reconstruction checkpoint (Phase 1); default: the shipped model.") var reconstruction: String?
    @Option(help: "waveform (default: the decisions applied to the input samples) or mel (Griffin-Lim from the edited mel).")
    var render: String = "waveform"
    @Option(help: "Write the per-beat labels (start, end, label, probability) as JSON.") var labelsOut: String?
    @Option(help: "Write an Audacity label track.") var audacityLabels: String?
    @Option(help: "Write a PNG of the input and output with the labels.") var plot: String?
    @Option(help: "Write the kept source ranges as an OpenTimelineIO timeline (.otio).") var otio: String?
    @Option(help: "Write the kept source ranges as a CMX 3600 EDL (25 fps).") var edl: String?
    @Option(help: "Choose labels that give this output length, in seconds.") var targetDuration: Double?
    @Option(help: "Allowed miss of --target-duration, in seconds.") var slack: Double = 1.0
    @Option(help: "Protect START-END (seconds) from cuts; repeatable.") var keep: [String] = []
    @Option(help: "Added to CUT's log-probability (nats) before each beat's label is chosen: above 0 removes more, below 0 keeps more (default: the policy's own, from `calibrate`; 0 for one not calibrated).")
    var cutBias: Double?
    @Option(help: "Griffin-Lim iterations for --render mel.") var iterations: Int = 32
    @Flag(help: "Replace existing output files.") var force = false

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        guard let renderer = EditPipeline.Renderer(rawValue: render) else {
            throw ValidationError("--render must be waveform or mel")
        }
        let outputs = [out, labelsOut, audacityLabels, plot, otio, edl].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
        for o in outputs { try OutputPath.check(o, force: force) }
        var pipeline = EditPipeline()
        pipeline.renderer = renderer
        pipeline.targetDuration = targetDuration
        pipeline.slack = slack
        pipeline.keep = try keep.map(Self.parseRange)
        pipeline.cutBias = cutBias
        pipeline.griffinLimIterations = iterations
        let bar = ProgressBar(total: 100, label: "edit")
        pipeline.progress = { stage, done in bar.update(Int(done * 100), stage) }
        let pol = try policy.map { try Checkpoint.loadPolicy(URL(fileURLWithPath: $0)) } ?? PretrainedModels.policy()
        let rec = try reconstruction.map { try Checkpoint.loadReconstruction(URL(fileURLWithPath: $0)) } ?? PretrainedModels.reconstruction()
        let r = try pipeline.run(input: URL(fileURLWithPath: input), policy: pol, reconstruction: rec)
        bar.update(100, "done")
        let requested: [(EditOutput, String?)] = [(.wav, out), (.labels, labelsOut), (.audacity, audacityLabels), (.plot, plot),
                                                  (.otio, otio), (.edl, edl)]
        for case let (kind, path?) in requested {
            try kind.write(r, source: URL(fileURLWithPath: input), to: URL(fileURLWithPath: path))
        }
        let counts = EditLabel.actions.map { l in "\(l.name) \(r.labels.filter { $0 == l }.count)" }.joined(separator: ", ")
        print(String(format: "%@: %.1f s → %.1f s, %d beats (%@)", out, r.input.duration,
                     Double(r.audio.count) / Double(r.sampleRate), r.labels.count, counts))
    }

    static func parseRange(_ s: String) throws -> ClosedRange<Double> {
        let parts = s.split(separator: "-").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a <= b else {
            throw ValidationError("--keep takes START-END in seconds, got '\(s)'")
        }
        return a...b
    }
}

