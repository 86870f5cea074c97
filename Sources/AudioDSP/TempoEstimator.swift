import Foundation
import Tensor

/// A global tempo estimate as `librosa.feature.tempo` (librosa.beat.beat_track's default):
/// an autocorrelation tempogram over 8-second windows (`ac_size=8`, i.e. 344 frames at
/// 22 050 Hz / 512) with a periodic Hann window and `center=True` (linear-ramp padding),
/// each window normalised by its maximum, averaged over time, weighted by a log-normal prior
/// around `startBPM` (std 1 octave) and cut above `maxTempo`.
public struct TempoEstimator: Sendable {
    public var sampleRate: Double
    public var hop: Int
    public var startBPM: Double
    public var stdBPM: Double
    public var acSize: Double
    public var maxTempo: Double?

    public init(sampleRate: Double = 22050, hop: Int = 512, startBPM: Double = 120, stdBPM: Double = 1,
                acSize: Double = 8, maxTempo: Double? = 320) {
        self.sampleRate = sampleRate
        self.hop = hop
        self.startBPM = startBPM
        self.stdBPM = stdBPM
        self.acSize = acSize
        self.maxTempo = maxTempo
    }

    /// Frames per autocorrelation window: `time_to_frames(ac_size)`.
    public var winLength: Int { Int((acSize * sampleRate / Double(hop)).rounded(.down)) }

    /// BPM of each lag bin; bin 0 is +∞.
    public func tempoFrequencies(_ n: Int) -> [Double] {
        (0..<n).map { $0 == 0 ? .infinity : 60.0 * sampleRate / (Double(hop) * Double($0)) }
    }

    /// The time-averaged normalised autocorrelation tempogram (winLength lags).
    public func meanTempogram(_ onset: [Float]) -> [Double] {
        let n = onset.count
        let win = winLength
        let pad = win / 2
        // linear_ramp padding to 0 at both ends.
        var padded = [Float](repeating: 0, count: n + 2 * pad)
        let first = Double(onset.first ?? 0), last = Double(onset.last ?? 0)
        for i in 0..<pad {
            padded[i] = Float(first * Double(i) / Double(pad))
            padded[n + 2 * pad - 1 - i] = Float(last * Double(i) / Double(pad))
        }
        for i in 0..<n { padded[pad + i] = onset[i] }
        let window = STFT.hann(win)
        // Zero-padded FFT length for a full linear autocorrelation (any even size ≥ 2·win − 1).
        var nPad = 2 * win
        while !TempoEstimator.isSmooth(nPad) { nPad += 2 }
        let bins = nPad / 2 + 1
        let chunks = max(1, min(Threading.count, n / 64))
        var partial = [Double](repeating: 0, count: chunks * win)
        let per = (n + chunks - 1) / chunks
        padded.withUnsafeBufferPointer { pbuf in
            window.withUnsafeBufferPointer { wbuf in
                partial.withUnsafeMutableBufferPointer { obuf in
                    let pp = SendablePointer(UnsafeMutablePointer(mutating: pbuf.baseAddress!))
                    let wp = SendablePointer(UnsafeMutablePointer(mutating: wbuf.baseAddress!))
                    let op = SendablePointer(obuf.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        let lo = c * per, hi = min(n, lo + per)
                        if lo >= hi { return }
                        let fft = RealFFT(size: nPad)
                        let frame = UnsafeMutablePointer<Float>.allocate(capacity: nPad)
                        let spec = UnsafeMutablePointer<Float>.allocate(capacity: bins * 2)
                        let ac = UnsafeMutablePointer<Float>.allocate(capacity: nPad)
                        defer { frame.deallocate(); spec.deallocate(); ac.deallocate() }
                        frame.initialize(repeating: 0, count: nPad)
                        let acc = op.p + c * win
                        for t in lo..<hi {
                            for k in 0..<win { frame[k] = pp.p[t + k] * wp.p[k] }
                            fft.forward(frame, into: spec)
                            for f in 0..<bins {
                                let re = spec[2 * f], im = spec[2 * f + 1]
                                spec[2 * f] = re * re + im * im
                                spec[2 * f + 1] = 0
                            }
                            fft.inverse(spec, into: ac)
                            // Normalise by the largest |value| (norm=inf); all-zero windows stay 0.
                            var m: Float = 0
                            for k in 0..<win { m = max(m, abs(ac[k])) }
                            let scale: Double = m > Float.leastNormalMagnitude ? 1.0 / Double(m) : 1.0 / Double(nPad)
                            for k in 0..<win { acc[k] += Double(ac[k]) * scale }
                        }
                    }
                }
            }
        }
        var mean = [Double](repeating: 0, count: win)
        for c in 0..<chunks { for k in 0..<win { mean[k] += partial[c * win + k] } }
        for k in 0..<win { mean[k] /= Double(max(n, 1)) }
        return mean
    }

    static func isSmooth(_ n: Int) -> Bool {
        var m = n
        for p in [2, 3, 5] { while m % p == 0 { m /= p } }
        return m == 1
    }

    /// The tempo in BPM for an onset envelope (0 for an all-zero envelope, as beat_track).
    public func estimate(_ onset: [Float]) -> Double {
        let tg = meanTempogram(onset)
        let bpms = tempoFrequencies(tg.count)
        var best = 0
        var bestScore = -Double.infinity
        let maxIdx: Int
        if let maxTempo {
            maxIdx = bpms.firstIndex(where: { $0 < maxTempo }) ?? 0
        } else {
            maxIdx = 0
        }
        let l2start = log2(startBPM)
        for k in 0..<tg.count {
            var prior = -0.5 * pow((log2(bpms[k]) - l2start) / stdBPM, 2)
            if k < maxIdx { prior = -.infinity }
            let score = log1p(1e6 * tg[k]) + prior
            if score > bestScore { bestScore = score; best = k }
        }
        return bpms[best]
    }
}
