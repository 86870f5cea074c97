import Foundation

/// Timings of the three front-end steps on one file (seconds, median of warm runs).
public struct DSPBenchResult: Codable, Sendable {
    public var secondsOfAudio: Double
    /// Decoding, downmix and resampling to 22 050 Hz.
    public var loadSeconds: Double
    /// STFT, mel filterbank and dB.
    public var melSeconds: Double
    /// Beat tracking from the signal (its own onset envelope, tempo and DP).
    public var beatsSeconds: Double
    /// Sub-step timings (not part of the JSON interface).
    public var breakdown: [String: Double] = [:]

    enum CodingKeys: String, CodingKey {
        case secondsOfAudio = "seconds_of_audio"
        case loadSeconds = "load_s"
        case melSeconds = "mel_s"
        case beatsSeconds = "beats_s"
    }
}

/// `super-editor bench dsp`: times load, mel and beats on one file, warm (after one untimed
/// call), reporting the median of `repeats` timed calls, as tools/bench_librosa.py does.
public enum DSPBench {
    public static func run(input: URL, repeats: Int = 5) throws -> DSPBenchResult {
        let mel = MelSpectrogram()
        let tracker = BeatTracker()
        var audio = try AudioFile.load(input)
        try mel.validate(audio.samples, source: input.path)
        func median(_ body: () throws -> Void) rethrows -> Double {
            try body() // warm-up
            var times: [Double] = []
            for _ in 0..<max(1, repeats) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            times.sort()
            return times[times.count / 2]
        }
        let load = try median { audio = try AudioFile.load(input) }
        let y = audio.samples
        var sink: Float = 0
        let melS = median {
            var s = mel.power(y)
            MelSpectrogram.powerToDB(&s, ref: .max)
            sink += s[0]
        }
        let beatsS = median { sink += Float(tracker.track(y).frames.count) }
        // Breakdown of the mel step, for the text report.
        let frames = mel.stft.frameCount(y.count)
        var spec: [Float] = []
        let stftS = median { spec = mel.stft.magnitude(y, power: 2) }
        var mp: [Float] = []
        let fbS = median { mp = mel.applyFilterbank(spec, frames: frames) }
        let dbS = median { var c = mp; MelSpectrogram.powerToDB(&c, ref: .max); sink += c[0] }
        let onS = median { sink += OnsetStrength.envelope(melPower: mp, frames: frames, nMels: 128, aggregate: .median)[0] }
        let onset = OnsetStrength.envelope(melPower: mp, frames: frames, nMels: 128, aggregate: .median)
        let tempoS = median { sink += Float(tracker.tempoEstimator.estimate(onset)) }
        _ = sink
        var r = DSPBenchResult(secondsOfAudio: audio.duration, loadSeconds: load, melSeconds: melS, beatsSeconds: beatsS)
        r.breakdown = ["stft": stftS, "filterbank": fbS, "db": dbS, "onset": onS, "tempo": tempoS]
        return r
    }

    /// A beat-based test track (drums, bass, chords at `bpm`), stereo at `sampleRate`, so that
    /// loading exercises decoding, downmix and resampling. Deterministic.
    public static func syntheticTrack(seconds: Double = 60, sampleRate: Int = 44100, bpm: Double = 120) -> [[Float]] {
        let n = Int(seconds * Double(sampleRate))
        let sr = Double(sampleRate)
        var left = [Float](repeating: 0, count: n), right = [Float](repeating: 0, count: n)
        var rng: UInt64 = 0x9E3779B97F4A7C15
        func noise() -> Double {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Double(Int64(bitPattern: rng) >> 11) / Double(1 << 52)
        }
        let beat = 60 / bpm
        let bass: [Double] = [55, 55, 65.41, 73.42, 49, 49, 61.74, 65.41]
        let chords: [[Double]] = [[220, 261.63, 329.63], [196, 246.94, 293.66], [174.61, 220, 261.63], [196, 246.94, 293.66]]
        var b = 0
        while Double(b) * beat < seconds {
            let s0 = Int(Double(b) * beat * sr)
            // Kick on odd beats, snare on even ones, hats on eighths.
            for i in 0..<Int(0.4 * sr) where s0 + i < n {
                let t = Double(i) / sr
                let v: Double
                if b % 2 == 0 {
                    v = sin(2 * .pi * (50 + 100 * exp(-t * 30)) * t) * exp(-t * 12)
                } else {
                    v = noise() * exp(-t * 25) * 0.5 + sin(2 * .pi * 190 * t) * exp(-t * 20) * 0.3
                }
                left[s0 + i] += Float(v * 0.5); right[s0 + i] += Float(v * 0.5)
            }
            for h in [s0, s0 + Int(beat * sr / 2)] {
                for i in 0..<Int(0.06 * sr) where h + i < n {
                    let v = noise() * exp(-Double(i) / sr * 80) * 0.15
                    left[h + i] += Float(v * 0.6); right[h + i] += Float(v * 0.4)
                }
            }
            let f = bass[b % bass.count]
            for i in 0..<Int(beat * 0.9 * sr) where s0 + i < n {
                let t = Double(i) / sr
                let v = 0.3 * sin(2 * .pi * f * t) * exp(-t * 3)
                left[s0 + i] += Float(v); right[s0 + i] += Float(v)
            }
            if b % 4 == 0 {
                let chord = chords[(b / 4) % 4]
                for i in 0..<Int(4 * beat * sr) where s0 + i < n {
                    let t = Double(i) / sr
                    let env = min(1, t * 20) * exp(-t * 0.6)
                    var v = 0.0
                    for fc in chord { v += 0.08 * sin(2 * .pi * fc * t) }
                    left[s0 + i] += Float(v * env * 0.7); right[s0 + i] += Float(v * env * 1.0)
                }
            }
            b += 1
        }
        var peak: Float = 0
        for i in 0..<n { peak = max(peak, abs(left[i]), abs(right[i])) }
        let g = peak > 0 ? 0.8 / peak : 1
        for i in 0..<n { left[i] *= g; right[i] *= g }
        return [left, right]
    }

    /// Writes `syntheticTrack` as a 16-bit stereo WAV.
    public static func writeSyntheticTrack(to url: URL, seconds: Double = 60, sampleRate: Int = 44100) throws {
        let ch = syntheticTrack(seconds: seconds, sampleRate: sampleRate)
        try AudioFile.writeInterleaved(ch, sampleRate: sampleRate, to: url, encoding: .pcm16)
    }
}
