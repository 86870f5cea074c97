import ArgumentParser
import AudioDSP
import Foundation
import SuperEditor

struct Invert: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "invert",
        abstract: "Turn a features .npz (normalised mel + db_min/db_max) back into audio: NNLS mel inversion, then Griffin-Lim."
    )

    @Argument(help: "Features .npz as written by `features`.")
    var features: String

    @Option(name: [.customShort("o"), .customLong("out")], help: "Output WAV file (written atomically).")
    var out: String

    @Option(help: "Griffin-Lim iterations.")
    var iterations: Int = 32

    @Option(help: "Seed for Griffin-Lim's random initial phases.")
    var seed: UInt64 = 0

    @Flag(help: "Start Griffin-Lim from zero phase (librosa's init=None) instead of random phases.")
    var zeroPhase = false

    @Flag(help: "Keep the raw level instead of scaling the peak to 0.9 (the mel is relative to its loudest bin, so the absolute level is unknown).")
    var noNormalise = false

    @Flag(help: "Write 32-bit float samples instead of 16-bit PCM.")
    var float = false

    func validate() throws {
        guard iterations >= 0 else { throw ValidationError("--iterations must be >= 0") }
    }

    var subject: String? { features }

    func execute() throws {
        let f = try CacheLayout.readFeatures(URL(fileURLWithPath: features))
        let y = MelInversion.audio(features: f, iterations: iterations,
                                   initialisation: zeroPhase ? .zeroPhase : .random(seed: seed), normalisePeak: !noNormalise)
        let sr = f.sampleRate
        try AudioFile.write(y, sampleRate: sr, to: URL(fileURLWithPath: out), encoding: float ? .float32 : .pcm16)
    }
}
