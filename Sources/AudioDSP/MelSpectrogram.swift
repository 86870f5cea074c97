import Foundation
import Tensor

/// A normalised log-mel spectrogram, the guide's `extract_mel`, plus what is needed to undo
/// the normalisation.
public struct MelFeatures: Sendable {
    /// (frames, nMels) row-major, in [0, 1].
    public var mel: [Float]
    public var frames: Int
    public var nMels: Int
    /// The dB range the normalisation mapped to [0, 1]: db = mel * (dbMax - dbMin) + dbMin.
    public var dbMin: Float
    public var dbMax: Float
}

/// The mel spectrogram as `librosa.feature.melspectrogram` (power 2, n_fft 2048, hop 512,
/// 128 Slaney mels from 0 Hz to sr/2), `librosa.power_to_db` and the guide's min-max
/// normalisation. Spectrograms are (frames, nMels) row-major: the transpose of librosa's
/// (nMels, frames), which is the layout the guide stores.
public struct MelSpectrogram: Sendable {
    public let sampleRate: Int
    public let stft: STFT
    public let filterbank: MelFilterbank

    public init(sampleRate: Int = AudioFile.defaultSampleRate, nFFT: Int = 2048, hop: Int = 512, nMels: Int = 128,
                fmin: Double = 0, fmax: Double? = nil) {
        self.sampleRate = sampleRate
        stft = STFT(nFFT: nFFT, hop: hop)
        filterbank = MelFilterbank(sampleRate: Double(sampleRate), nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: fmax)
    }

    public var nMels: Int { filterbank.nMels }
    public var hop: Int { stft.hop }
    public var nFFT: Int { stft.nFFT }

    /// Mel power spectrogram (frames, nMels): each frame's power spectrum goes straight
    /// through the filterbank, band by band over its non-zero bins, inside the STFT workers
    /// (no (frames, bins) intermediate). Same values as `applyFilterbank` on the power STFT.
    public func power(_ y: UnsafeBufferPointer<Float>) -> [Float] {
        let frames = stft.frameCount(y.count)
        let m = nMels, bins = filterbank.bins
        var out = [Float](repeating: 0, count: frames * m)
        if y.isEmpty { return out }
        filterbank.weights.withUnsafeBufferPointer { wb in
            filterbank.bandStart.withUnsafeBufferPointer { sb in
                filterbank.bandEnd.withUnsafeBufferPointer { eb in
                    out.withUnsafeMutableBufferPointer { ob in
                        let w = SendablePointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                        let bs = SendablePointer(UnsafeMutablePointer(mutating: sb.baseAddress!))
                        let be = SendablePointer(UnsafeMutablePointer(mutating: eb.baseAddress!))
                        let o = SendablePointer(ob.baseAddress!)
                        stft.forEachMagnitudeFrame(y, scratchCount: bins) { t, mag, pw in
                            for f in 0..<bins { pw[f] = mag[f] * mag[f] }
                            let row = o.p + t * m
                            for b in 0..<m {
                                let wrow = w.p + b * bins
                                var acc: Float = 0
                                var k = bs.p[b]
                                let end = be.p[b]
                                while k < end { acc += wrow[k] * pw[k]; k += 1 }
                                row[b] = acc
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    public func power(_ y: [Float]) -> [Float] { y.withUnsafeBufferPointer { power($0) } }

    /// (frames, bins) power spectrum → (frames, nMels).
    public func applyFilterbank(_ spec: [Float], frames: Int) -> [Float] {
        let bins = filterbank.bins, m = nMels
        var out = [Float](repeating: 0, count: frames * m)
        if frames == 0 { return out }
        spec.withUnsafeBufferPointer { s in
            filterbank.weights.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.gemm(transB: true, m: frames, n: m, k: bins, a: s.baseAddress!, lda: bins,
                              b: w.baseAddress!, ldb: bins, c: o.baseAddress!, ldc: m)
                }
            }
        }
        return out
    }

    /// What `power_to_db` takes as its reference.
    public enum Reference: Sendable {
        /// `ref=np.max`: 0 dB is the loudest bin.
        case max
        /// A fixed reference power, e.g. `ref=1.0`.
        case value(Float)
    }

    /// `librosa.power_to_db(S, ref, amin, top_db)` in float32, in place:
    /// 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then floored at (max - topDB).
    public static func powerToDB(_ s: inout [Float], ref: Reference = .max, amin: Float = 1e-10, topDB: Float? = 80) {
        let n = s.count
        if n == 0 { return }
        s.withUnsafeMutableBufferPointer { buf in
            let p = SendablePointer(buf.baseAddress!)
            let refValue: Float
            switch ref {
            case .max:
                var m = -Float.infinity
                for i in 0..<n where p.p[i] > m { m = p.p[i] }
                refValue = m
            case .value(let v): refValue = v
            }
            let offset = 10 * log10f(Swift.max(amin, refValue))
            let chunks = Swift.max(1, Swift.min(Threading.count, n / 16384))
            var partialMax = [Float](repeating: -.infinity, count: chunks)
            partialMax.withUnsafeMutableBufferPointer { pm in
                let pmp = SendablePointer(pm.baseAddress!)
                let per = (n + chunks - 1) / chunks
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let lo = c * per, hi = Swift.min(n, lo + per)
                    var m = -Float.infinity
                    var i = lo
                    while i < hi {
                        let v = 10 * log10f(Swift.max(amin, p.p[i])) - offset
                        p.p[i] = v
                        if v > m { m = v }
                        i += 1
                    }
                    pmp.p[c] = m
                }
            }
            if let topDB {
                let floor = (partialMax.max() ?? 0) - topDB
                parallelFor(n, grain: 16384) { r in
                    for i in r where p.p[i] < floor { p.p[i] = floor }
                }
            }
        }
    }

    /// The guide's normalisation, `(db - min) / (max - min + 1e-8)`, in place; returns
    /// (min, max). A silent or constant input has max == min: every value then becomes 0
    /// (the 1e-8 keeps the division finite), and (min, max) records the constant level so the
    /// inverse mapping gives it back.
    @discardableResult
    public static func normalise(_ db: inout [Float]) -> (min: Float, max: Float) {
        if db.isEmpty { return (0, 0) }
        var lo = Float.infinity, hi = -Float.infinity
        db.withUnsafeMutableBufferPointer { b in
            let p = b.baseAddress!
            for i in 0..<b.count {
                let v = p[i]
                if v < lo { lo = v }
                if v > hi { hi = v }
            }
            let range = hi - lo
            if !(range > 0) {
                for i in 0..<b.count { p[i] = 0 }
                return
            }
            let denom = range + Float(1e-8)
            let sp = SendablePointer(p)
            parallelFor(b.count, grain: 16384) { r in
                for i in r { sp.p[i] = (sp.p[i] - lo) / denom }
            }
        }
        return (lo, hi)
    }

    /// Undoes `normalise`: db = mel * (dbMax - dbMin) + dbMin.
    public static func denormalise(_ mel: [Float], dbMin: Float, dbMax: Float) -> [Float] {
        let range = dbMax - dbMin
        return mel.map { $0 * range + dbMin }
    }

    /// Checks that a signal can be analysed: non-empty, finite and at least one frame long.
    public func validate(_ y: [Float], source: String) throws {
        if y.isEmpty { throw InputError(source, "contains no audio samples (zero-length signal)") }
        if let bad = y.firstIndex(where: { !$0.isFinite }) {
            throw InputError(source, "contains \(y[bad].isNaN ? "NaN" : "infinite") samples (first at sample \(bad))")
        }
        if y.count < nFFT {
            throw InputError(source, String(format: "too short: %d samples (%.3f s) at %d Hz, shorter than one analysis frame of %d samples",
                                             y.count, Double(y.count) / Double(sampleRate), sampleRate, nFFT))
        }
    }

    /// The guide's `extract_mel` on a signal at `sampleRate`: mel power, dB with ref=max,
    /// min-max normalisation. Also returns the dB spectrogram (before normalisation).
    public func features(_ y: [Float], source: String = InputError.signal) throws -> (features: MelFeatures, db: [Float]) {
        try validate(y, source: source)
        var s = power(y)
        MelSpectrogram.powerToDB(&s, ref: .max)
        let db = s
        let (lo, hi) = MelSpectrogram.normalise(&s)
        return (MelFeatures(mel: s, frames: stft.frameCount(y.count), nMels: nMels, dbMin: lo, dbMax: hi), db)
    }
}
