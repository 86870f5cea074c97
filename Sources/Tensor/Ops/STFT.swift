extension Tensor {
    /// Short-time Fourier transform of real signals (B, N), as `torch.stft` with
    /// `center=True, pad_mode="reflect", onesided=True, normalized=False`, returned like
    /// `torch.view_as_real`: (B, nFFT/2+1, frames, 2).
    ///
    /// `window` has `winLength` values (nil: rectangular) and is zero-padded to `nFFT` in the
    /// middle, as torch does.
    public func stft(nFFT: Int, hop: Int, winLength: Int? = nil, window: [Float]? = nil) -> Tensor {
        precondition(rank == 2, "stft needs (B, N) signals, got \(shape)")
        let b = shape[0], n = shape[1]
        let win = winLength ?? nFFT
        let pad = nFFT / 2
        precondition(n > pad, "stft: reflect padding of \(pad) needs more than \(pad) samples, got \(n)")
        var w = [Float](repeating: 0, count: nFFT)
        let left = (nFFT - win) / 2
        for i in 0..<win { w[left + i] = window?[i] ?? 1 }
        let frames = 1 + (n + 2 * pad - nFFT) / hop
        let bins = nFFT / 2 + 1
        let out = Tensor(uninitialized: [b, bins, frames, 2])
        let px = SendablePointer(data), po = SendablePointer(out.data)
        // Reflect index into 0..<n.
        @inline(__always) func reflect(_ j: Int) -> Int { j < 0 ? -j : (j >= n ? 2 * (n - 1) - j : j) }
        w.withUnsafeBufferPointer { wb in
            let wp = SendablePointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
            parallelFor(b * frames, grain: 8) { r in
                let fft = RealFFT(size: nFFT)
                let frame = UnsafeMutablePointer<Float>.allocate(capacity: nFFT)
                let spec = UnsafeMutablePointer<Float>.allocate(capacity: 2 * bins)
                defer { frame.deallocate(); spec.deallocate() }
                for bf in r {
                    let bi = bf / frames, m = bf % frames
                    let x = px.p + bi * n
                    for i in 0..<nFFT { frame[i] = x[reflect(m * hop + i - pad)] * wp[i] }
                    fft.forward(frame, into: spec)
                    let o = po.p + bi * bins * frames * 2 + m * 2
                    for f in 0..<bins { o[f * frames * 2] = spec[2 * f]; o[f * frames * 2 + 1] = spec[2 * f + 1] }
                }
            }
        }
        return out.record("stft", [self]) { [self] g in
            // Each frame's gradient is the inverse real DFT of its output gradient (interior
            // bins halved, since the inverse counts them twice), times the window, then folded
            // back through the reflect padding.
            let framesGrad = Tensor(uninitialized: [b, frames, nFFT])
            let pg = SendablePointer(g.data), pf = SendablePointer(framesGrad.data)
            w.withUnsafeBufferPointer { wb in
                let wp = SendablePointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                parallelFor(b * frames, grain: 8) { r in
                    let fft = RealFFT(size: nFFT)
                    let spec = UnsafeMutablePointer<Float>.allocate(capacity: 2 * bins)
                    defer { spec.deallocate() }
                    for bf in r {
                        let bi = bf / frames, m = bf % frames
                        let gi = pg.p + bi * bins * frames * 2 + m * 2
                        for f in 0..<bins {
                            let half: Float = (f == 0 || f == bins - 1) ? 1 : 0.5
                            spec[2 * f] = gi[f * frames * 2] * half
                            spec[2 * f + 1] = gi[f * frames * 2 + 1] * half
                        }
                        let dst = pf.p + bf * nFFT
                        fft.inverse(spec, into: dst)
                        for i in 0..<nFFT { dst[i] *= wp[i] }
                    }
                }
            }
            let dx = Tensor.zeros(self.shape)
            let pd = SendablePointer(dx.data)
            parallelFor(b) { r in
                for bi in r {
                    let d = pd.p + bi * n
                    for m in 0..<frames {
                        let src = pf.p + (bi * frames + m) * nFFT
                        for i in 0..<nFFT { d[reflect(m * hop + i - pad)] += src[i] }
                    }
                }
            }
            self.accumulateGrad(dx)
        }
    }

    /// |z| of complex values stored as a trailing (re, im) pair: (..., 2) → (...).
    /// The gradient at z = 0 is 0, as PyTorch's.
    public func complexAbs() -> Tensor {
        precondition(shape.last == 2, "complexAbs needs a trailing (re, im) axis, got \(shape)")
        let n = count / 2
        let out = Tensor(uninitialized: Array(shape.dropLast()))
        let x = SendablePointer(data), y = SendablePointer(out.data)
        parallelFor(n, grain: 1 << 13) { r in
            for i in r { let re = x[2 * i], im = x[2 * i + 1]; y[i] = (re * re + im * im).squareRoot() }
        }
        return out.record("complex_abs", [self]) { [self] g in
            let dx = Tensor(uninitialized: self.shape)
            let pg = SendablePointer(g.data), pd = SendablePointer(dx.data)
            parallelFor(n, grain: 1 << 13) { r in
                for i in r {
                    let a = y[i]
                    let s: Float = a > 0 ? pg[i] / a : 0
                    pd[2 * i] = x[2 * i] * s; pd[2 * i + 1] = x[2 * i + 1] * s
                }
            }
            self.accumulateGrad(dx)
        }
    }

    /// The Euclidean (Frobenius) norm of all elements.
    public func norm() -> Tensor { (self * self).sum().sqrt() }
}
