import Foundation

/// The mel filterbank of `librosa.filters.mel` with its defaults (Slaney mel scale,
/// `htk=False`, Slaney area normalisation), stored as (nMels, bins) float32, row-major.
public struct MelFilterbank: Sendable {
    public let sampleRate: Double
    public let nFFT: Int
    public let nMels: Int
    public let fmin: Double
    public let fmax: Double
    /// (nMels, nFFT/2 + 1) weights.
    public let weights: [Float]

    public var bins: Int { nFFT / 2 + 1 }
    /// For each band, the first and one-past-last bin with a non-zero weight (the triangles
    /// are narrow, so applying the bank band by band touches ~2 bins per FFT bin).
    public let bandStart: [Int]
    public let bandEnd: [Int]

    public init(sampleRate: Double = 22050, nFFT: Int = 2048, nMels: Int = 128, fmin: Double = 0, fmax: Double? = nil) {
        self.sampleRate = sampleRate
        self.nFFT = nFFT
        self.nMels = nMels
        self.fmin = fmin
        let fmax = fmax ?? sampleRate / 2
        self.fmax = fmax
        let bins = nFFT / 2 + 1
        // np.fft.rfftfreq(n_fft, 1/sr): k * (1 / (n_fft * (1/sr))).
        let val = 1.0 / (Double(nFFT) * (1.0 / sampleRate))
        let fftFreqs = (0..<bins).map { Double($0) * val }
        let melF = MelFilterbank.melFrequencies(nMels + 2, fmin: fmin, fmax: fmax)
        var w = [Float](repeating: 0, count: nMels * bins)
        for i in 0..<nMels {
            let lowDiff = melF[i + 1] - melF[i]
            let highDiff = melF[i + 2] - melF[i + 1]
            // Slaney normalisation: 2 / (band width in Hz).
            let enorm = 2.0 / (melF[i + 2] - melF[i])
            for k in 0..<bins {
                let lower = -(melF[i] - fftFreqs[k]) / lowDiff
                let upper = (melF[i + 2] - fftFreqs[k]) / highDiff
                // librosa stores the triangle as float32, then scales it in place.
                let tri = Float(max(0, min(lower, upper)))
                w[i * bins + k] = Float(Double(tri) * enorm)
            }
        }
        weights = w
        var bs = [Int](repeating: 0, count: nMels), be = [Int](repeating: 0, count: nMels)
        for i in 0..<nMels {
            var lo = bins, hi = 0
            for k in 0..<bins where w[i * bins + k] != 0 { lo = min(lo, k); hi = k + 1 }
            bs[i] = min(lo, hi); be[i] = hi
        }
        bandStart = bs
        bandEnd = be
    }

    /// Hz to mel, Slaney's formula: linear below 1 kHz, logarithmic above.
    public static func hzToMel(_ f: Double) -> Double {
        let fSp = 200.0 / 3
        let minLogHz = 1000.0
        let minLogMel = minLogHz / fSp
        let logstep = log(6.4) / 27.0
        return f >= minLogHz ? minLogMel + log(f / minLogHz) / logstep : f / fSp
    }

    /// Mel to Hz, the inverse of `hzToMel`.
    public static func melToHz(_ m: Double) -> Double {
        let fSp = 200.0 / 3
        let minLogHz = 1000.0
        let minLogMel = minLogHz / fSp
        let logstep = log(6.4) / 27.0
        return m >= minLogMel ? minLogHz * exp(logstep * (m - minLogMel)) : fSp * m
    }

    /// `librosa.mel_frequencies(n, fmin, fmax)`: n points evenly spaced in mel, in Hz.
    public static func melFrequencies(_ n: Int, fmin: Double, fmax: Double) -> [Double] {
        let lo = hzToMel(fmin), hi = hzToMel(fmax)
        // np.linspace: start + i * step, the last point exactly `stop`.
        let step = n > 1 ? (hi - lo) / Double(n - 1) : 0
        return (0..<n).map { i in melToHz(i == n - 1 && n > 1 ? hi : lo + Double(i) * step) }
    }
}
