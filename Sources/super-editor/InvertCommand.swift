import ArgumentParser
import AudioDSP
import Foundation
import SuperEditor

struct Invert: ParsableCommand {
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

    func run() throws {
        do {
            let url = URL(fileURLWithPath: features)
            let npz = try NPZ.read(url)
            func need(_ key: String) throws -> NPYArray {
                guard let a = npz[key] else { throw AudioError(features, "missing array '\(key)'") }
                return a
            }
            let melArr = try need("mel")
            guard melArr.shape.count == 2, melArr.shape[1] > 0 else {
                throw AudioError(features, "'mel' must be 2-D (frames, n_mels), got shape \(melArr.shape)")
            }
            let frames = melArr.shape[0], nMels = melArr.shape[1]
            guard frames > 0 else { throw AudioError(features, "'mel' has no frames") }
            let mel = melArr.floats()
            if mel.contains(where: { !$0.isFinite }) { throw AudioError(features, "'mel' contains NaN or infinite values") }
            guard let dbMin = try need("db_min").scalarValue, let dbMax = try need("db_max").scalarValue,
                  dbMin.isFinite, dbMax.isFinite, dbMax >= dbMin else {
                throw AudioError(features, "'db_min'/'db_max' must be finite scalars with db_min <= db_max")
            }
            let sr = Int(npz["sample_rate"]?.scalarValue ?? Double(AudioFile.defaultSampleRate))
            let hop = Int(npz["hop_length"]?.scalarValue ?? 512)
            guard sr > 0, hop > 0 else { throw AudioError(features, "invalid sample_rate \(sr) or hop_length \(hop)") }
            let inv = MelInversion(sampleRate: sr, hop: hop, nMels: nMels, griffinLimIterations: iterations)
            var y = inv.audio(normalisedMel: mel, frames: frames, dbMin: Float(dbMin), dbMax: Float(dbMax),
                              initialisation: zeroPhase ? .zeroPhase : .random(seed: seed))
            if !noNormalise {
                let peak = y.reduce(Float(0)) { max($0, abs($1)) }
                if peak > 0 { let g = 0.9 / peak; for i in 0..<y.count { y[i] *= g } }
            }
            try AudioFile.write(y, sampleRate: sr, to: URL(fileURLWithPath: out), encoding: float ? .float32 : .pcm16)
        } catch {
            throw failure(error, file: features)
        }
    }
}
