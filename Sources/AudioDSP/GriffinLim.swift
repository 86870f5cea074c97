import Foundation
import Tensor

/// Phase reconstruction as `librosa.griffinlim`: the fast Griffin-Lim algorithm (Perraudin
/// et al.) with momentum, 32 iterations and momentum 0.99 by default, over this package's
/// STFT (n_fft 2048, hop 512, periodic Hann, center=True, zero padding).
public struct GriffinLim: Sendable {
    public enum Initialisation: Sendable {
        /// All phases zero (`init=None`): deterministic, what parity is checked with.
        case zeroPhase
        /// Uniformly random phases from a seeded generator (librosa's default `init="random"`).
        case random(seed: UInt64)
    }

    public var stft: STFT
    public var iterations: Int
    public var momentum: Float

    public init(nFFT: Int = 2048, hop: Int = 512, iterations: Int = 32, momentum: Float = 0.99) {
        stft = STFT(nFFT: nFFT, hop: hop)
        self.iterations = iterations
        self.momentum = momentum
    }

    /// Audio whose STFT magnitude approximates `magnitude`, (frames, bins) row-major.
    /// The output has `length` samples, or hop * (frames - 1) if nil (librosa's default).
    public func reconstruct(magnitude: [Float], frames: Int, length: Int? = nil,
                            initialisation: Initialisation = .random(seed: 0)) -> [Float] {
        let bins = stft.bins
        precondition(magnitude.count == frames * bins, "griffinlim: magnitude is not (frames, \(bins))")
        let count = frames * bins
        var angles = [Float](repeating: 0, count: count * 2)
        switch initialisation {
        case .zeroPhase:
            for k in 0..<count { angles[2 * k] = magnitude[k] }
        case .random(let seed):
            var rng = RandomGenerator(seed: seed)
            for k in 0..<count {
                let phi = 2 * Double.pi * Double(rng.next() >> 11) * 0x1p-53
                angles[2 * k] = magnitude[k] * Float(cos(phi))
                angles[2 * k + 1] = magnitude[k] * Float(sin(phi))
            }
        }
        // Two spectrogram buffers serve the three roles (the angles, the STFT of their audio, and
        // the last iteration's STFT for the momentum): once the angles have made their audio
        // they are not needed, so that audio's STFT goes into their buffer, and the new angles,
        // elementwise from it and the last STFT, go into the last STFT's buffer.
        var previous = [Float](repeating: 0, count: count * 2)
        var hasPrevious = false
        let eps = Float.leastNormalMagnitude
        let beta = momentum / (1 + momentum)
        for _ in 0..<iterations {
            let y = stft.inverse(angles, frames: frames, length: length)
            precondition(stft.frameCount(y.count) == frames, "griffinlim: frame count changed; pass the original length")
            y.withUnsafeBufferPointer { yb in angles.withUnsafeMutableBufferPointer { stft.forward(yb, into: $0) } }
            let useMomentum = hasPrevious
            angles.withUnsafeBufferPointer { rb in
                previous.withUnsafeMutableBufferPointer { pb in
                    magnitude.withUnsafeBufferPointer { mb in
                        let r = SendablePointer(UnsafeMutablePointer(mutating: rb.baseAddress!))
                        let a = SendablePointer(pb.baseAddress!)
                        let s = SendablePointer(UnsafeMutablePointer(mutating: mb.baseAddress!))
                        parallelFor(count, grain: 8192) { range in
                            for k in range {
                                var re = r.p[2 * k], im = r.p[2 * k + 1]
                                if useMomentum {
                                    re -= beta * a.p[2 * k]
                                    im -= beta * a.p[2 * k + 1]
                                }
                                let mag = (re * re + im * im).squareRoot() + eps
                                let g = s.p[k] / mag
                                a.p[2 * k] = re * g
                                a.p[2 * k + 1] = im * g
                            }
                        }
                    }
                }
            }
            // `previous` now holds the new angles and `angles` this iteration's STFT.
            swap(&angles, &previous)
            hasPrevious = true
        }
        return stft.inverse(angles, frames: frames, length: length)
    }

    /// ‖S − |STFT(y)|‖_F / ‖S‖_F: how far the reconstruction's magnitude is from the target.
    public func spectralConvergence(magnitude: [Float], frames: Int, audio y: [Float]) -> Double {
        let m = stft.magnitude(y, power: 1)
        let n = min(m.count, magnitude.count)
        var num = 0.0, den = 0.0
        for k in 0..<n {
            let d = Double(magnitude[k]) - Double(m[k])
            num += d * d
            den += Double(magnitude[k]) * Double(magnitude[k])
        }
        return den > 0 ? (num / den).squareRoot() : 0
    }
}
