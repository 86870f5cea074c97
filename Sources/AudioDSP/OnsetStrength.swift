import Foundation
import Tensor

/// Spectral-flux onset strength as `librosa.onset.onset_strength` with its defaults: the mel
/// power spectrogram in dB (`power_to_db` with ref 1.0, amin 1e-10, top_db 80), the positive
/// difference between consecutive frames (lag 1, max_size 1), aggregated over the mel bands,
/// shifted right by lag + n_fft / (2 hop) frames (center=True) and cut to the frame count.
public enum OnsetStrength {
    public enum Aggregate: Sendable {
        /// `np.mean`, librosa's default for `onset_strength`.
        case mean
        /// `np.median`, what `beat_track` uses.
        case median
    }

    /// From a mel power spectrogram (frames, nMels) row-major.
    public static func envelope(melPower: [Float], frames: Int, nMels: Int, nFFT: Int = 2048, hop: Int = 512,
                                aggregate: Aggregate = .mean) -> [Float] {
        var db = melPower
        MelSpectrogram.powerToDB(&db, ref: .value(1.0))
        return envelope(melDB: db, frames: frames, nMels: nMels, nFFT: nFFT, hop: hop, aggregate: aggregate)
    }

    /// From a log-mel spectrogram (frames, nMels) in dB.
    public static func envelope(melDB db: [Float], frames: Int, nMels: Int, nFFT: Int = 2048, hop: Int = 512,
                                aggregate: Aggregate = .mean) -> [Float] {
        let lag = 1
        let shift = lag + nFFT / (2 * hop)
        var env = [Float](repeating: 0, count: frames)
        if frames <= lag { return env }
        db.withUnsafeBufferPointer { dbuf in
            env.withUnsafeMutableBufferPointer { ebuf in
                let s = SendablePointer(UnsafeMutablePointer(mutating: dbuf.baseAddress!))
                let e = SendablePointer(ebuf.baseAddress!)
                // env[t] = agg(max(0, S[t - shift + 1] - S[t - shift])) for t >= shift.
                let count = frames - shift
                if count <= 0 { return }
                parallelFor(count, grain: 64) { range in
                    let tmp = UnsafeMutablePointer<Float>.allocate(capacity: nMels)
                    defer { tmp.deallocate() }
                    for j in range {
                        // j indexes the difference S[j + 1] - S[j].
                        let a = s.p + j * nMels, b = a + nMels
                        for m in 0..<nMels { tmp[m] = max(0, b[m] - a[m]) }
                        let v: Float
                        switch aggregate {
                        case .mean:
                            var acc: Float = 0
                            for m in 0..<nMels { acc += tmp[m] }
                            v = acc / Float(nMels)
                        case .median:
                            v = median(tmp, nMels)
                        }
                        e.p[j + shift] = v
                    }
                }
            }
        }
        return env
    }

    /// The median as NumPy computes it: the middle value, or the mean of the two middle ones.
    /// Reorders `x`.
    static func median(_ x: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
        var buf = UnsafeMutableBufferPointer(start: x, count: n)
        buf.sort()
        if n % 2 == 1 { return x[n / 2] }
        return (x[n / 2 - 1] + x[n / 2]) / 2
    }
}
