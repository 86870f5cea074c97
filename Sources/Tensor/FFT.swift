import CKissFFT

/// A real FFT of one size (KissFFT, BSD-licensed). A plan keeps scratch memory, so each
/// thread uses its own.
public final class RealFFT {
    public let size: Int
    private let forwardConfig: kiss_fftr_cfg
    private let inverseConfig: kiss_fftr_cfg
    private let spectrum: UnsafeMutablePointer<kiss_fft_cpx>

    public init(size: Int) {
        precondition(size > 0 && size % 2 == 0, "real FFT size must be even, got \(size)")
        self.size = size
        forwardConfig = kiss_fftr_alloc(Int32(size), 0, nil, nil)
        inverseConfig = kiss_fftr_alloc(Int32(size), 1, nil, nil)
        spectrum = .allocate(capacity: size / 2 + 1)
    }

    deinit {
        ckiss_fftr_free(forwardConfig)
        ckiss_fftr_free(inverseConfig)
        spectrum.deallocate()
    }

    public var bins: Int { size / 2 + 1 }

    /// X[f] = Σ x[n] e^{-2πifn/N} for f = 0…N/2, written as interleaved (re, im) with
    /// `stride` floats between consecutive bins' real parts.
    public func forward(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, stride: Int = 2) {
        kiss_fftr(forwardConfig, x, spectrum)
        for f in 0..<bins { out[f * stride] = spectrum[f].r; out[f * stride + 1] = spectrum[f].i }
    }

    /// The unnormalised inverse of a one-sided spectrum given as interleaved (re, im) with
    /// `stride`: x[n] = Re Σ_{f=0}^{N-1} X[f] e^{2πifn/N} with X Hermitian.
    /// The imaginary parts of the DC and Nyquist bins are ignored.
    public func inverse(_ spec: UnsafePointer<Float>, stride: Int = 2, into x: UnsafeMutablePointer<Float>) {
        for f in 0..<bins { spectrum[f].r = spec[f * stride]; spectrum[f].i = spec[f * stride + 1] }
        kiss_fftri(inverseConfig, spectrum, x)
    }
}
