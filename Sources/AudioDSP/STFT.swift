import Foundation
import Tensor

/// The short-time Fourier transform as `librosa.stft` / `librosa.istft` compute it with their
/// defaults: a periodic Hann window of `nFFT` samples, `center=True` with zero padding
/// (`pad_mode="constant"`), one frame every `hop` samples, so T = 1 + n / hop frames.
///
/// Spectra are stored frame-major: (T, bins) complex values, interleaved as (re, im) pairs,
/// with bins = nFFT / 2 + 1. Frames are split across the cores, one FFT plan per worker.
public struct STFT: Sendable {
    public let nFFT: Int
    public let hop: Int
    /// The periodic Hann window, `scipy.signal.get_window("hann", nFFT, fftbins=True)`.
    public let window: [Float]

    public init(nFFT: Int = 2048, hop: Int = 512) {
        precondition(nFFT > 0 && nFFT % 2 == 0 && hop > 0, "STFT needs an even nFFT and a positive hop")
        self.nFFT = nFFT
        self.hop = hop
        window = STFT.hann(nFFT)
    }

    /// The periodic Hann window of length n: 0.5 - 0.5 cos(2πk/n).
    public static func hann(_ n: Int) -> [Float] {
        (0..<n).map { Float(0.5 - 0.5 * cos(2.0 * Double.pi * Double($0) / Double(n))) }
    }

    public var bins: Int { nFFT / 2 + 1 }

    /// Number of frames for a signal of `n` samples (center=True).
    public func frameCount(_ n: Int) -> Int { 1 + n / hop }

    /// Runs `body(frameIndex, windowedFrame, fft)` for every frame, in parallel chunks.
    /// The windowed frame is scratch memory of `nFFT` floats owned by the worker.
    @inline(__always)
    private func forEachFrame(_ y: UnsafePointer<Float>, count n: Int, frames: Int,
                              _ body: (Int, UnsafeMutablePointer<Float>, RealFFT, UnsafeMutablePointer<Float>) -> Void) {
        let yp = SendablePointer(UnsafeMutablePointer(mutating: y))
        let nFFT = self.nFFT, hop = self.hop, half = nFFT / 2
        window.withUnsafeBufferPointer { wbuf in
            let w = SendablePointer(UnsafeMutablePointer(mutating: wbuf.baseAddress!))
            parallelFor(frames, grain: 16) { range in
                let fft = RealFFT(size: nFFT)
                // nFFT floats for the windowed frame, then bins*2 floats of spectrum scratch.
                let buf = UnsafeMutablePointer<Float>.allocate(capacity: nFFT + nFFT + 2)
                defer { buf.deallocate() }
                let scratch = buf + nFFT
                for t in range {
                    let start = t * hop - half
                    if start >= 0 && start + nFFT <= n {
                        let src = yp.p + start
                        for i in 0..<nFFT { buf[i] = src[i] * w.p[i] }
                    } else {
                        for i in 0..<nFFT {
                            let j = start + i
                            buf[i] = (j >= 0 && j < n) ? yp.p[j] * w.p[i] : 0
                        }
                    }
                    body(t, buf, fft, scratch)
                }
            }
        }
    }

    /// The complex STFT of `y`: (T, bins) interleaved (re, im), T = 1 + n / hop.
    public func forward(_ y: UnsafeBufferPointer<Float>) -> [Float] {
        var out = [Float](repeating: 0, count: frameCount(y.count) * bins * 2)
        out.withUnsafeMutableBufferPointer { forward(y, into: $0) }
        return out
    }

    /// The complex STFT of `y` written into `out`, which holds exactly its (T, bins) pairs.
    public func forward(_ y: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        let frames = frameCount(y.count)
        let bins = self.bins
        precondition(out.count == frames * bins * 2, "stft: output of \(out.count) floats for \(frames) frames")
        guard let base = y.baseAddress else { return }
        let o = SendablePointer(out.baseAddress!)
        forEachFrame(base, count: y.count, frames: frames) { t, frame, fft, _ in
            fft.forward(frame, into: o.p + t * bins * 2)
        }
    }

    public func forward(_ y: [Float]) -> [Float] { y.withUnsafeBufferPointer { forward($0) } }

    /// Runs `body(frameIndex, magnitudeRow, scratch)` for every frame with |X[f]| for the
    /// frame's spectrum (bins floats), in parallel chunks, `scratch` being `scratchCount`
    /// floats owned by the worker. As librosa: the frame is windowed and transformed in double
    /// precision (when nFFT is a power of two), the spectrum rounded to complex64, and the
    /// magnitude taken from those float32 parts (np.abs of complex64).
    func forEachMagnitudeFrame(_ y: UnsafeBufferPointer<Float>, scratchCount: Int = 0,
                               _ body: (Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        let n = y.count
        let frames = frameCount(n)
        let nFFT = self.nFFT, hop = self.hop, half = nFFT / 2, bins = self.bins
        guard let base = y.baseAddress else { return }
        let yp = SendablePointer(UnsafeMutablePointer(mutating: base))
        if nFFT & (nFFT - 1) != 0 {
            // Not a power of two: single precision through KissFFT.
            forEachFrame(base, count: n, frames: frames) { t, frame, fft, spec in
                fft.forward(frame, into: spec)
                let row = UnsafeMutablePointer<Float>.allocate(capacity: bins + scratchCount)
                defer { row.deallocate() }
                for f in 0..<bins { row[f] = (spec[2 * f] * spec[2 * f] + spec[2 * f + 1] * spec[2 * f + 1]).squareRoot() }
                body(t, row, row + bins)
            }
            return
        }
        let wd = (0..<nFFT).map { 0.5 - 0.5 * cos(2.0 * Double.pi * Double($0) / Double(nFFT)) }
        wd.withUnsafeBufferPointer { wbuf in
            let w = SendablePointer(UnsafeMutablePointer(mutating: wbuf.baseAddress!))
            parallelFor(frames, grain: 16) { range in
                let fft = RealFFT64(size: nFFT)
                let frame = UnsafeMutablePointer<Double>.allocate(capacity: nFFT)
                let re = UnsafeMutablePointer<Double>.allocate(capacity: bins)
                let im = UnsafeMutablePointer<Double>.allocate(capacity: bins)
                let row = UnsafeMutablePointer<Float>.allocate(capacity: bins + scratchCount)
                defer { frame.deallocate(); re.deallocate(); im.deallocate(); row.deallocate() }
                for t in range {
                    let start = t * hop - half
                    if start >= 0 && start + nFFT <= n {
                        let src = yp.p + start
                        for i in 0..<nFFT { frame[i] = Double(src[i]) * w.p[i] }
                    } else {
                        for i in 0..<nFFT {
                            let j = start + i
                            frame[i] = (j >= 0 && j < n) ? Double(yp.p[j]) * w.p[i] : 0
                        }
                    }
                    fft.forward(frame, re: re, im: im)
                    for f in 0..<bins {
                        let r = Double(Float(re[f])), q = Double(Float(im[f]))
                        row[f] = Float((r * r + q * q).squareRoot())
                    }
                    body(t, row, row + bins)
                }
            }
        }
    }

    /// |STFT|^power as (T, bins) real values; power 2 gives the power spectrogram.
    public func magnitude(_ y: UnsafeBufferPointer<Float>, power: Float = 2) -> [Float] {
        let frames = frameCount(y.count)
        let bins = self.bins
        var out = [Float](repeating: 0, count: frames * bins)
        if y.isEmpty { return out }
        out.withUnsafeMutableBufferPointer { obuf in
            let o = SendablePointer(obuf.baseAddress!)
            forEachMagnitudeFrame(y) { t, mag, _ in
                let row = o.p + t * bins
                if power == 2 {
                    for f in 0..<bins { row[f] = mag[f] * mag[f] }
                } else if power == 1 {
                    for f in 0..<bins { row[f] = mag[f] }
                } else {
                    for f in 0..<bins { row[f] = Foundation.pow(mag[f], power) }
                }
            }
        }
        return out
    }

    public func magnitude(_ y: [Float], power: Float = 2) -> [Float] {
        y.withUnsafeBufferPointer { magnitude($0, power: power) }
    }

    /// `librosa.istft(center=True)`: inverse FFT of every frame, windowed overlap-add,
    /// division by the summed squared window where it is non-negligible, the centre padding
    /// removed. Output length is `length` if given, else hop * (T - 1).
    public func inverse(_ spec: UnsafeBufferPointer<Float>, frames: Int, length: Int? = nil) -> [Float] {
        let bins = self.bins, nFFT = self.nFFT, hop = self.hop, half = nFFT / 2
        precondition(spec.count == frames * bins * 2, "istft: spectrum size does not match \(frames) frames")
        let outLen = length ?? hop * max(frames - 1, 0)
        var y = [Float](repeating: 0, count: outLen)
        if frames == 0 || outLen == 0 { return y }
        // Frames that can reach the output: with center=True frame t covers
        // [t*hop - half, t*hop + half).
        let used = min(frames, (outLen + half + hop - 1) / hop + 1)
        let scale = 1 / Float(nFFT)
        // Sum of squared windows over all `frames` frames (librosa counts every frame, even
        // those trimmed away by `length`).
        let wss = windowSumSquare(frames: frames)
        let tiny = Float.leastNormalMagnitude
        // The output goes in blocks of `blockHops` hops; each block inverts just the frames that
        // reach it (a few at its edges are inverted again by the next block), so memory stays
        // small however long the signal. Every sample adds its frames in increasing order.
        let blockHops = 64, blockLength = blockHops * hop
        let blocks = (outLen + blockLength - 1) / blockLength
        let framesPerBlock = blockHops + nFFT / hop + 2
        let sp = SendablePointer(UnsafeMutablePointer(mutating: spec.baseAddress!))
        y.withUnsafeMutableBufferPointer { ybuf in
            let yp = SendablePointer(ybuf.baseAddress!)
            window.withUnsafeBufferPointer { wbuf in
                wss.withUnsafeBufferPointer { wsb in
                    let w = SendablePointer(UnsafeMutablePointer(mutating: wbuf.baseAddress!))
                    let ws = SendablePointer(UnsafeMutablePointer(mutating: wsb.baseAddress!))
                    parallelFor(blocks) { range in
                        let fft = RealFFT(size: nFFT)
                        let tp = UnsafeMutablePointer<Float>.allocate(capacity: framesPerBlock * nFFT)
                        defer { tp.deallocate() }
                        for block in range {
                            let j0 = block * blockLength, j1 = min(outLen, j0 + blockLength)
                            let first = max(0, (j0 + half - nFFT) / hop), last = min(used - 1, (j1 - 1 + half) / hop)
                            if first <= last {
                                for t in first...last {
                                    let row = tp + (t - first) * nFFT
                                    fft.inverse(sp.p + t * bins * 2, into: row)
                                    for i in 0..<nFFT { row[i] *= w.p[i] * scale }
                                }
                            }
                            for j in j0..<j1 {
                                // Output sample j is padded position p = j + half.
                                let p = j + half
                                let tHi = min(used - 1, p / hop)
                                let tLo = max(0, (p - nFFT) / hop)
                                var acc: Float = 0
                                var t = tLo
                                while t <= tHi {
                                    let k = p - t * hop
                                    if k >= 0 && k < nFFT { acc += tp[(t - first) * nFFT + k] }
                                    t += 1
                                }
                                let d = p < wss.count ? ws.p[p] : 0
                                yp.p[j] = d > tiny ? acc / d : acc
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    public func inverse(_ spec: [Float], frames: Int, length: Int? = nil) -> [Float] {
        spec.withUnsafeBufferPointer { inverse($0, frames: frames, length: length) }
    }

    /// `librosa.filters.window_sumsquare` for this window: length nFFT + hop * (frames - 1).
    public func windowSumSquare(frames: Int) -> [Float] {
        let n = nFFT + hop * max(frames - 1, 0)
        var x = [Float](repeating: 0, count: n)
        let nFFT = self.nFFT, hop = self.hop
        window.withUnsafeBufferPointer { w in
            x.withUnsafeMutableBufferPointer { xb in
                let xp = xb.baseAddress!, wp = w.baseAddress!
                for t in 0..<frames {
                    let s = xp + t * hop
                    for i in 0..<nFFT { s[i] += wp[i] * wp[i] }
                }
            }
        }
        return x
    }
}
