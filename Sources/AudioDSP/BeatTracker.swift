import Foundation

/// The result of beat tracking.
public struct Beats: Sendable, Equatable {
    /// Global tempo estimate in BPM (0 when the onset envelope is all zero).
    public var tempo: Double
    /// Beat positions in frames (hop-length units).
    public var frames: [Int]
    /// Beat positions in seconds: frame * hop / sampleRate.
    public var times: [Double]
}

/// Ellis' dynamic-programming beat tracker as `librosa.beat.beat_track` with its defaults:
/// onset strength aggregated by the median, the tempo from `TempoEstimator`, tightness 100,
/// weak leading and trailing beats trimmed, frames as units.
public struct BeatTracker: Sendable {
    public var sampleRate: Int
    public var hop: Int
    public var tightness: Double
    public var trim: Bool
    public var tempoEstimator: TempoEstimator

    public init(sampleRate: Int = AudioFile.defaultSampleRate, hop: Int = 512, tightness: Double = 100, trim: Bool = true,
                startBPM: Double = 120) {
        self.sampleRate = sampleRate
        self.hop = hop
        self.tightness = tightness
        self.trim = trim
        tempoEstimator = TempoEstimator(sampleRate: Double(sampleRate), hop: hop, startBPM: startBPM)
    }

    /// Beat tracking straight from a signal at `sampleRate` (computes its own mel and onsets).
    public func track(_ y: [Float]) -> Beats {
        let mel = MelSpectrogram(sampleRate: sampleRate, hop: hop)
        let power = mel.power(y)
        let frames = mel.stft.frameCount(y.count)
        let onset = OnsetStrength.envelope(melPower: power, frames: frames, nMels: mel.nMels, nFFT: mel.nFFT, hop: hop,
                                           aggregate: .median)
        return track(onsetEnvelope: onset)
    }

    /// Beat tracking on a precomputed onset envelope (median-aggregated for librosa parity).
    public func track(onsetEnvelope onset: [Float], bpm: Double? = nil) -> Beats {
        if !onset.contains(where: { $0 != 0 }) { return Beats(tempo: 0, frames: [], times: []) }
        let tempo = bpm ?? tempoEstimator.estimate(onset)
        guard tempo > 0 else { return Beats(tempo: tempo, frames: [], times: []) }
        let frames = beatFrames(onset, bpm: tempo)
        let times = frames.map { Double($0) * Double(hop) / Double(sampleRate) }
        return Beats(tempo: tempo, frames: frames, times: times)
    }

    /// The DP itself, in librosa's stages: normalise the onsets, score each frame locally,
    /// run the dynamic programme, pick the last beat, backtrack, trim the weak ends.
    /// As in librosa's pipeline, the onset envelope is normalised in float32, while the local
    /// score, the cumulative score and the thresholds are float64 (numba picks its float64
    /// kernels because frames-per-beat arrives as float64).
    func beatFrames(_ onset: [Float], bpm: Double) -> [Int] {
        let frameRate = Double(sampleRate) / Double(hop)
        // frames per beat, np.round (half to even), then cast to float32 by the kernels.
        let fpb = (frameRate * 60.0 / bpm).rounded(.toNearestOrEven)
        let local = Self.localScore(Self.normalizeOnsets(onset), framesPerBeat: fpb)
        let (cumulative, backlink) = Self.dynamicProgramme(local, framesPerBeat: fpb, tightness: tightness)
        var beats = Self.backtrack(from: Self.lastBeat(cumulative), backlink: backlink)
        Self.trimWeakEnds(&beats, local: local, threshold: trim ? nil : 0)
        var out: [Int] = []
        for i in 0..<beats.count where beats[i] { out.append(i) }
        return out
    }

    /// The onset envelope divided by its standard deviation (ddof=1), in float32.
    static func normalizeOnsets(_ onset: [Float]) -> [Float] {
        let n = onset.count
        var mean = 0.0
        for v in onset { mean += Double(v) }
        mean /= Double(n)
        var ss = 0.0
        for v in onset { ss += (Double(v) - mean) * (Double(v) - mean) }
        let std = Float(n > 1 ? (ss / Double(n - 1)).squareRoot() : 0)
        let denom = std + Float.leastNormalMagnitude
        var norm = [Float](repeating: 0, count: n)
        for i in 0..<n { norm[i] = onset[i] / denom }
        return norm
    }

    /// Local score: 'same' convolution of the normalised onsets with a Gaussian of ±fpb frames.
    static func localScore(_ norm: [Float], framesPerBeat fpb: Double) -> [Double] {
        let n = norm.count
        let half = Int(fpb)
        let k = 2 * half + 1
        var window = [Double](repeating: 0, count: k)
        for j in 0..<k {
            let x = Double(j - half) * 32.0 / fpb
            window[j] = exp(-0.5 * x * x)
        }
        var local = [Double](repeating: 0, count: n)
        norm.withUnsafeBufferPointer { ob in
            window.withUnsafeBufferPointer { wb in
                local.withUnsafeMutableBufferPointer { lb in
                    let o = ob.baseAddress!, w = wb.baseAddress!, l = lb.baseAddress!
                    for i in 0..<n {
                        var acc = 0.0
                        let lo = max(0, i + k / 2 - n + 1), hi = min(i + k / 2, k)
                        var j = lo
                        while j < hi {
                            acc += w[j] * Double(o[i + k / 2 - j])
                            j += 1
                        }
                        l[i] = acc
                    }
                }
            }
        }
        return local
    }

    /// The cumulative score and, for each frame, the best previous beat (-1 before the first
    /// frame whose local score reaches 1% of the maximum).
    static func dynamicProgramme(_ local: [Double], framesPerBeat fpb: Double,
                                 tightness: Double) -> (cumulative: [Double], backlink: [Int]) {
        let n = local.count
        var backlink = [Int](repeating: -1, count: n)
        var cum = [Double](repeating: 0, count: n)
        var localMax = -Double.infinity
        for v in local where v > localMax { localMax = v }
        let threshold = 0.01 * localMax
        let tight = Double(Float(tightness))
        let logFPB = log(fpb)
        let startOff = Int((fpb / 2).rounded(.toNearestOrEven))
        let stopOff = Int(2 * fpb) + 1
        var firstBeat = true
        // log(i - loc) for the lags the search can use.
        var logs = [Double](repeating: 0, count: stopOff + 1)
        for d in 1...stopOff { logs[d] = log(Double(d)) }
        local.withUnsafeBufferPointer { lb in
            cum.withUnsafeMutableBufferPointer { cb in
                backlink.withUnsafeMutableBufferPointer { bb in
                    let l = lb.baseAddress!, c = cb.baseAddress!, b = bb.baseAddress!
                    for i in 0..<n {
                        var best = -Double.infinity
                        var loc = -1
                        var cand = i - startOff
                        let stop = i - stopOff // exclusive
                        while cand > stop {
                            if cand < 0 { break }
                            let dl = logs[i - cand] - logFPB
                            let score = c[cand] - tight * dl * dl
                            if score > best { best = score; loc = cand }
                            cand -= 1
                        }
                        c[i] = loc >= 0 ? l[i] + best : l[i]
                        if firstBeat && l[i] < threshold {
                            b[i] = -1
                        } else {
                            b[i] = loc
                            firstBeat = false
                        }
                    }
                }
            }
        }
        return (cum, backlink)
    }

    /// The last beat: the last local maximum of the cumulative score that reaches half the
    /// median of all local maxima (the last frame when there is none).
    static func lastBeat(_ cum: [Double]) -> Int {
        let n = cum.count
        var isMax = [Bool](repeating: false, count: n)
        if n > 1 {
            for i in 0..<n {
                if i == 0 {
                    isMax[0] = cum[0] > cum[0] && cum[0] >= cum[1]
                } else if i == n - 1 {
                    isMax[i] = cum[i] > cum[i - 1]
                } else {
                    isMax[i] = cum[i] > cum[i - 1] && cum[i] >= cum[i + 1]
                }
            }
        }
        var maxima: [Double] = []
        for i in 0..<n where isMax[i] { maxima.append(cum[i]) }
        guard !maxima.isEmpty else { return n - 1 }
        maxima.sort()
        let m = maxima.count
        let med: Double = m % 2 == 1 ? maxima[m / 2] : (maxima[m / 2 - 1] + maxima[m / 2]) / 2
        let thr = 0.5 * med
        var j = n - 1
        while j >= 0 {
            if isMax[j] && cum[j] >= thr { return j }
            j -= 1
        }
        return n - 1
    }

    /// The beat mask found by following the backlinks from `tail`.
    static func backtrack(from tail: Int, backlink: [Int]) -> [Bool] {
        var beats = [Bool](repeating: false, count: backlink.count)
        var j = tail
        while j >= 0 {
            beats[j] = true
            j = backlink[j]
        }
        return beats
    }

    /// Half the RMS of the beats' local scores smoothed with a 5-point Hann window: the level
    /// below which leading and trailing beats are dropped.
    static func trimThreshold(_ beats: [Bool], local: [Double]) -> Double {
        let n = local.count
        var beatScores: [Double] = []
        for i in 0..<n where beats[i] { beatScores.append(local[i]) }
        guard !beatScores.isEmpty else { return 0 }
        let hannW: [Double] = [0, 0.5, 1, 0.5, 0]
        let full = beatScores.count + 4
        var conv = [Double](repeating: 0, count: full)
        for a in 0..<beatScores.count { for b in 0..<5 { conv[a + b] += beatScores[a] * hannW[b] } }
        // librosa keeps conv[2 : n + 2] of the full convolution (n = number of frames).
        let lo = 2, hi = min(full, n + 2)
        var sq = 0.0
        for i in lo..<hi { sq += conv[i] * conv[i] }
        let rms = hi > lo ? (sq / Double(hi - lo)).squareRoot() : 0
        return 0.5 * rms
    }

    /// Clears leading and trailing frames whose local score is at most `threshold`
    /// (by default the trim threshold of the beats found).
    static func trimWeakEnds(_ beats: inout [Bool], local: [Double], threshold: Double? = nil) {
        let n = local.count
        let thr = threshold ?? trimThreshold(beats, local: local)
        var s = 0
        while s < n && local[s] <= thr { beats[s] = false; s += 1 }
        var e = n - 1
        while e >= 0 && local[e] <= thr { beats[e] = false; e -= 1 }
    }
}
