import Foundation
import Tensor

/// What the guide caches per audio file (`features/{id}.npz`).
public struct AudioFeatures: Sendable {
    /// Normalised log-mel, (frames, nMels) row-major, in [0, 1].
    public var mel: [Float]
    public var frames: Int
    public var nMels: Int
    /// Beat times in seconds.
    public var beatTimes: [Double]
    /// Beat positions in frames.
    public var beatFrames: [Int]
    /// Global tempo estimate in BPM.
    public var tempo: Double
    public var dbMin: Float
    public var dbMax: Float
    public var sampleRate: Int
    public var hopLength: Int
    /// `TransientCrest` per frame; empty where it is not known (a cache from before it).
    public var transient: [Float]

    public init(mel: [Float], frames: Int, nMels: Int, beatTimes: [Double], beatFrames: [Int], tempo: Double,
                dbMin: Float, dbMax: Float, sampleRate: Int, hopLength: Int, transient: [Float] = []) {
        self.mel = mel; self.frames = frames; self.nMels = nMels; self.beatTimes = beatTimes; self.beatFrames = beatFrames
        self.tempo = tempo; self.dbMin = dbMin; self.dbMax = dbMax; self.sampleRate = sampleRate; self.hopLength = hopLength
        self.transient = transient
    }
}

/// The guide's preprocessing of one file: load at 22 050 Hz, the normalised log-mel
/// (`extract_mel`), and beats (`librosa.beat.beat_track`). The mel power spectrogram is
/// computed once and shared by the features and the onset envelope.
public struct FeatureExtractor: Sendable {
    public let mel: MelSpectrogram
    public let beats: BeatTracker

    public init(sampleRate: Int = AudioFile.defaultSampleRate, nFFT: Int = 2048, hop: Int = 512, nMels: Int = 128) {
        mel = MelSpectrogram(sampleRate: sampleRate, nFFT: nFFT, hop: hop, nMels: nMels)
        beats = BeatTracker(sampleRate: sampleRate, hop: hop)
    }

    /// Loads and analyses an audio file. Errors are one-line `InputError`s naming the file.
    public func extract(_ url: URL) throws -> AudioFeatures {
        let audio = try AudioFile.load(url, sampleRate: mel.sampleRate)
        return try extract(audio.samples, source: url.path)
    }

    /// Analyses a signal at `mel.sampleRate`.
    public func extract(_ y: [Float], source: String = InputError.signal) throws -> AudioFeatures {
        try mel.validate(y, source: source)
        let frames = mel.stft.frameCount(y.count)
        let power = mel.power(y)
        let onset = OnsetStrength.envelope(melPower: power, frames: frames, nMels: mel.nMels, nFFT: mel.nFFT,
                                           hop: mel.hop, aggregate: .median)
        let b = beats.track(onsetEnvelope: onset)
        try InputLimits.current.checkBeats(b.frames.count, file: source)
        var db = power
        MelSpectrogram.powerToDB(&db, ref: .max)
        let (lo, hi) = MelSpectrogram.normalise(&db)
        return AudioFeatures(mel: db, frames: frames, nMels: mel.nMels, beatTimes: b.times, beatFrames: b.frames,
                             tempo: b.tempo, dbMin: lo, dbMax: hi, sampleRate: mel.sampleRate, hopLength: mel.hop,
                             transient: TransientCrest.frames(y, hop: mel.hop, frames: frames))
    }

    /// Beat tracking only, from a file.
    public func beats(_ url: URL) throws -> Beats {
        let audio = try AudioFile.load(url, sampleRate: mel.sampleRate)
        try mel.validate(audio.samples, source: url.path)
        let b = beats.track(audio.samples)
        try InputLimits.current.checkBeats(b.frames.count, file: url.path)
        return b
    }
}
