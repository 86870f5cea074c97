import Foundation

/// A double-precision real FFT for power-of-two sizes, used on the mel hot path.
///
/// Why not only KissFFT: Debian ships KissFFT in single precision only, and it is the slowest
/// step here (about 18 µs per 2048-point frame on this machine). librosa runs its STFT in
/// float64 (numpy's pocketfft) and rounds to complex64 afterwards; computing in double as
/// well keeps our spectra within rounding of librosa's, which is what keeps the beat tracker's
/// dynamic programme on the same side of its near-ties. N real points are packed into an
/// N/2-point complex FFT (iterative radix-2, split real/imaginary arrays, precomputed
/// twiddles and bit reversal) and unpacked with one twiddle pass. One instance per thread.
final class RealFFT64 {
    let n: Int
    let m: Int
    private let logM: Int
    private let rev: UnsafeMutablePointer<Int32>
    // Per stage of size s ≥ 8, the s/2 twiddles e^{-2πij/s} stored contiguously (stage after
    // stage) so the butterfly loop reads them with unit stride and vectorises.
    private let twRe: UnsafeMutablePointer<Double>
    private let twIm: UnsafeMutablePointer<Double>
    private let postRe: UnsafeMutablePointer<Double> // e^{-2πik/n}, k ≤ m/2
    private let postIm: UnsafeMutablePointer<Double>
    let zr: UnsafeMutablePointer<Double>
    let zi: UnsafeMutablePointer<Double>

    init(size: Int) {
        precondition(size >= 4 && size & (size - 1) == 0, "RealFFT64 needs a power-of-two size")
        n = size
        m = size / 2
        var l = 0
        while (1 << l) < m { l += 1 }
        logM = l
        rev = .allocate(capacity: m)
        for i in 0..<m {
            var r = 0, v = i
            for _ in 0..<l { r = (r << 1) | (v & 1); v >>= 1 }
            rev[i] = Int32(r)
        }
        twRe = .allocate(capacity: max(1, m)); twIm = .allocate(capacity: max(1, m))
        var off = 0
        var s = 8
        while s <= m {
            for j in 0..<(s / 2) {
                // Same values as e^{-2πi (j·m/s)/m}.
                let a = -2 * Double.pi * Double(j * (m / s)) / Double(m)
                twRe[off + j] = cos(a); twIm[off + j] = sin(a)
            }
            off += s / 2
            s <<= 1
        }
        postRe = .allocate(capacity: m / 2 + 1); postIm = .allocate(capacity: m / 2 + 1)
        for k in 0...(m / 2) {
            let a = -2 * Double.pi * Double(k) / Double(n)
            postRe[k] = cos(a); postIm[k] = sin(a)
        }
        zr = .allocate(capacity: m)
        zi = .allocate(capacity: m)
    }

    deinit {
        rev.deallocate(); twRe.deallocate(); twIm.deallocate(); postRe.deallocate(); postIm.deallocate()
        zr.deallocate(); zi.deallocate()
    }

    /// X[k] for k = 0…n/2 of the real signal x (n values), written to outRe/outIm (n/2 + 1 each).
    func forward(_ x: UnsafePointer<Double>, re outRe: UnsafeMutablePointer<Double>, im outIm: UnsafeMutablePointer<Double>) {
        let m = self.m
        // Pack even/odd samples as one complex sequence, in bit-reversed order.
        for j in 0..<m {
            let r = Int(rev[j])
            zr[r] = x[2 * j]
            zi[r] = x[2 * j + 1]
        }
        // Stage 1 (size 2): twiddle 1.
        var i = 0
        while i < m {
            let ar = zr[i], ai = zi[i], br = zr[i + 1], bi = zi[i + 1]
            zr[i] = ar + br; zi[i] = ai + bi
            zr[i + 1] = ar - br; zi[i + 1] = ai - bi
            i += 2
        }
        // Stage 2 (size 4): twiddles 1 and -i.
        if m >= 4 {
            i = 0
            while i < m {
                let a0r = zr[i], a0i = zi[i], b0r = zr[i + 2], b0i = zi[i + 2]
                zr[i] = a0r + b0r; zi[i] = a0i + b0i
                zr[i + 2] = a0r - b0r; zi[i + 2] = a0i - b0i
                let a1r = zr[i + 1], a1i = zi[i + 1]
                // (b * -i) = (bi, -br)
                let tr = zi[i + 3], ti = -zr[i + 3]
                zr[i + 1] = a1r + tr; zi[i + 1] = a1i + ti
                zr[i + 3] = a1r - tr; zi[i + 3] = a1i - ti
                i += 4
            }
        }
        // Remaining stages.
        var size = 8
        var off = 0
        while size <= m {
            let half = size / 2
            let wRe = twRe + off, wIm = twIm + off
            var start = 0
            while start < m {
                let pr = zr + start, pi = zi + start
                let qr = pr + half, qi = pi + half
                var j = 0
                while j < half {
                    let wr = wRe[j], wi = wIm[j]
                    let br = qr[j], bi = qi[j]
                    let tr = br * wr - bi * wi
                    let ti = br * wi + bi * wr
                    let ar = pr[j], ai = pi[j]
                    pr[j] = ar + tr; pi[j] = ai + ti
                    qr[j] = ar - tr; qi[j] = ai - ti
                    j += 1
                }
                start += size
            }
            off += half
            size <<= 1
        }
        // Unpack: X[k] = (Z[k] + conj(Z[m−k]))/2 − i e^{−2πik/n} (Z[k] − conj(Z[m−k]))/2.
        outRe[0] = zr[0] + zi[0]; outIm[0] = 0
        outRe[m] = zr[0] - zi[0]; outIm[m] = 0
        var k = 1
        while k <= m / 2 {
            let ar = zr[k], ai = zi[k]
            let br = zr[m - k], bi = -zi[m - k]        // conj(Z[m−k])
            let er = 0.5 * (ar + br), ei = 0.5 * (ai + bi)
            let dr = 0.5 * (ar - br), di = 0.5 * (ai - bi)
            // o = −i · w · d, w = e^{−2πik/n}
            let wr = postRe[k], wi = postIm[k]
            let pr = dr * wr - di * wi, pi = dr * wi + di * wr
            let orr = pi, oi = -pr
            outRe[k] = er + orr; outIm[k] = ei + oi
            // X[m−k] = conj(E) − conj(−i w d)… computed from the symmetric pair directly.
            let k2 = m - k
            if k2 != k {
                let ar2 = zr[k2], ai2 = zi[k2]
                let br2 = zr[k], bi2 = -zi[k]
                let er2 = 0.5 * (ar2 + br2), ei2 = 0.5 * (ai2 + bi2)
                let dr2 = 0.5 * (ar2 - br2), di2 = 0.5 * (ai2 - bi2)
                // w' = e^{−2πi(m−k)/n} = −conj(w)
                let wr2 = -wr, wi2 = wi
                let pr2 = dr2 * wr2 - di2 * wi2, pi2 = dr2 * wi2 + di2 * wr2
                outRe[k2] = er2 + pi2; outIm[k2] = ei2 - pr2
            }
            k += 1
        }
    }
}
