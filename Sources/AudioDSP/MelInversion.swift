import Foundation
import Tensor

/// From a mel spectrogram back to a linear magnitude spectrogram and to audio, as
/// `librosa.feature.inverse.mel_to_stft` followed by `librosa.griffinlim`.
///
/// librosa solves the non-negative least-squares problem min ‖A X − M‖² s.t. X ≥ 0 (A the mel
/// filterbank) with L-BFGS-B from the clipped pseudo-inverse solution. Here the same problem
/// is solved from the same starting point with accelerated projected gradient (FISTA), all
/// products as sgemm; the objective reached is what the tests compare.
public struct MelInversion: Sendable {
    public var mel: MelSpectrogram
    /// Iterations of the NNLS solver.
    public var nnlsIterations: Int
    public var griffinLim: GriffinLim

    public init(sampleRate: Int = AudioFile.defaultSampleRate, nFFT: Int = 2048, hop: Int = 512, nMels: Int = 128,
                nnlsIterations: Int = 200, griffinLimIterations: Int = 32, momentum: Float = 0.99) {
        mel = MelSpectrogram(sampleRate: sampleRate, nFFT: nFFT, hop: hop, nMels: nMels)
        self.nnlsIterations = nnlsIterations
        griffinLim = GriffinLim(nFFT: nFFT, hop: hop, iterations: griffinLimIterations, momentum: momentum)
    }

    /// NNLS: the non-negative (frames, bins) power spectrogram X minimising ‖X Aᵀ − M‖, for a
    /// mel power spectrogram M (frames, nMels). Returns X (power, not magnitude).
    ///
    /// G = A Aᵀ (nm × nm, double) gives, through its Cholesky factor, the pseudo-inverse start
    /// and, through its largest eigenvalue, the step size; then every frame is solved on its own.
    public func melToLinearPower(_ M: [Float], frames: Int) -> [Float] {
        let nm = mel.nMels, bins = mel.filterbank.bins
        precondition(M.count == frames * nm, "mel_to_stft: mel is not (frames, \(nm))")
        if frames == 0 { return [] }
        let G = Self.gram(mel.filterbank.weights, rows: nm, columns: bins)
        let L = Self.regularisedCholesky(G, nm)
        let step = Float(1 / (Self.largestEigenvalue(G, nm) * 1.01))
        return solveFrames(M, frames: frames, factor: L, step: step)
    }

    /// G = A Aᵀ in double for A (rows, columns).
    static func gram(_ A: [Float], rows nm: Int, columns bins: Int) -> [Double] {
        var G = [Double](repeating: 0, count: nm * nm)
        A.withUnsafeBufferPointer { a in
            for i in 0..<nm {
                for j in i..<nm {
                    var s = 0.0
                    let ri = a.baseAddress! + i * bins, rj = a.baseAddress! + j * bins
                    for k in 0..<bins { s += Double(ri[k]) * Double(rj[k]) }
                    G[i * nm + j] = s; G[j * nm + i] = s
                }
            }
        }
        return G
    }

    /// The Cholesky factor of G plus a ridge of 1e-10 of its mean diagonal.
    static func regularisedCholesky(_ G: [Double], _ nm: Int) -> [Double] {
        var trace = 0.0
        for i in 0..<nm { trace += G[i * nm + i] }
        let ridge = 1e-10 * trace / Double(nm)
        var L = G
        for i in 0..<nm { L[i * nm + i] += ridge }
        cholesky(&L, nm)
        return L
    }

    /// Largest eigenvalue of the symmetric G by 100 steps of power iteration.
    static func largestEigenvalue(_ G: [Double], _ nm: Int) -> Double {
        var v = [Double](repeating: 1 / Double(nm).squareRoot(), count: nm)
        var lambda = 0.0
        for _ in 0..<100 {
            var w = [Double](repeating: 0, count: nm)
            for i in 0..<nm { var s = 0.0; for j in 0..<nm { s += G[i * nm + j] * v[j] }; w[i] = s }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm == 0 { break }
            lambda = norm
            v = w.map { $0 / norm }
        }
        return lambda
    }

    /// The problem separates over frames: each frame t is its own NNLS min ‖A x − m_t‖², x ≥ 0.
    /// Every frame is solved inside one worker, in cache, with the filterbank applied band by
    /// band over its non-zero bins (A is ~2 % dense).
    func solveFrames(_ M: [Float], frames: Int, factor L: [Double], step: Float) -> [Float] {
        let nm = mel.nMels, bins = mel.filterbank.bins
        var X = [Float](repeating: 0, count: frames * bins)
        let iterations = nnlsIterations
        let fb = mel.filterbank
        M.withUnsafeBufferPointer { mb in
            X.withUnsafeMutableBufferPointer { xb in
                fb.weights.withUnsafeBufferPointer { ab in
                    fb.bandStart.withUnsafeBufferPointer { sb in
                        fb.bandEnd.withUnsafeBufferPointer { eb in
                            L.withUnsafeBufferPointer { lb in
                                let mp = SendablePointer(UnsafeMutablePointer(mutating: mb.baseAddress!))
                                let xp = SendablePointer(xb.baseAddress!)
                                let problem = FrameProblem(
                                    weights: SendablePointer(UnsafeMutablePointer(mutating: ab.baseAddress!)),
                                    bandStart: SendablePointer(UnsafeMutablePointer(mutating: sb.baseAddress!)),
                                    bandEnd: SendablePointer(UnsafeMutablePointer(mutating: eb.baseAddress!)),
                                    factor: SendablePointer(UnsafeMutablePointer(mutating: lb.baseAddress!)),
                                    nMels: nm, bins: bins, step: step, iterations: iterations)
                                parallelFor(frames, grain: 8) { range in
                                    var scratch = FrameScratch(nMels: nm, bins: bins)
                                    defer { scratch.deallocate() }
                                    for t in range {
                                        problem.solve(mel: mp.p + t * nm, into: xp.p + t * bins, scratch: &scratch)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return X
    }

    /// What one frame's NNLS needs: the banded filterbank, the Cholesky factor of A Aᵀ and
    /// the FISTA settings.
    struct FrameProblem: @unchecked Sendable {
        var weights: SendablePointer<Float>
        var bandStart: SendablePointer<Int>
        var bandEnd: SendablePointer<Int>
        var factor: SendablePointer<Double>
        var nMels: Int
        var bins: Int
        var step: Float
        var iterations: Int

        /// Start: x0 = max(0, Aᵀ G⁻¹ m), the clipped pseudo-inverse solution; then FISTA
        /// (projected gradient with Nesterov momentum) with step 1/λmax(G).
        func solve(mel m: UnsafeMutablePointer<Float>, into x: UnsafeMutablePointer<Float>,
                   scratch: inout FrameScratch) {
            let nm = nMels, a = weights.p, bs = bandStart.p, be = bandEnd.p
            let y = scratch.y, g = scratch.g, r = scratch.r
            for i in 0..<nm { scratch.z[i] = Double(m[i]) }
            MelInversion.choleskySolve(factor.p, nm, &scratch.z)
            for k in 0..<bins { x[k] = 0 }
            for b in 0..<nm {
                let zb = Float(scratch.z[b]), w = a + b * bins
                for k in bs[b]..<be[b] { x[k] += zb * w[k] }
            }
            for k in 0..<bins { x[k] = max(0, x[k]); y[k] = x[k] }
            var tk: Float = 1
            for _ in 0..<iterations {
                // r = A y − m; g = Aᵀ r
                for b in 0..<nm {
                    let w = a + b * bins
                    var acc: Float = 0
                    for k in bs[b]..<be[b] { acc += w[k] * y[k] }
                    r[b] = acc - m[b]
                }
                for k in 0..<bins { g[k] = 0 }
                for b in 0..<nm {
                    let rb = r[b], w = a + b * bins
                    for k in bs[b]..<be[b] { g[k] += rb * w[k] }
                }
                let tNext = (1 + (1 + 4 * tk * tk).squareRoot()) / 2
                let mom = (tk - 1) / tNext
                tk = tNext
                for k in 0..<bins {
                    let xNew = max(0, y[k] - step * g[k])
                    y[k] = max(0, xNew + mom * (xNew - x[k]))
                    x[k] = xNew
                }
            }
        }
    }

    /// One worker's buffers for `FrameProblem.solve`.
    struct FrameScratch {
        var z: [Double]
        let y: UnsafeMutablePointer<Float>
        let g: UnsafeMutablePointer<Float>
        let r: UnsafeMutablePointer<Float>

        init(nMels: Int, bins: Int) {
            z = [Double](repeating: 0, count: nMels)
            y = .allocate(capacity: bins)
            g = .allocate(capacity: bins)
            r = .allocate(capacity: nMels)
        }

        func deallocate() { y.deallocate(); g.deallocate(); r.deallocate() }
    }

    /// `mel_to_stft(M, power=2)`: the magnitude spectrogram (frames, bins) = sqrt(NNLS power).
    public func melToMagnitude(_ M: [Float], frames: Int) -> [Float] {
        melToLinearPower(M, frames: frames).map { $0.squareRoot() }
    }

    /// `mel_to_audio`: mel power spectrogram (frames, nMels) → audio via NNLS and Griffin-Lim.
    public func audio(melPower M: [Float], frames: Int, length: Int? = nil,
                      initialisation: GriffinLim.Initialisation = .random(seed: 0)) -> [Float] {
        let S = melToMagnitude(M, frames: frames)
        return griffinLim.reconstruct(magnitude: S, frames: frames, length: length, initialisation: initialisation)
    }

    /// Audio from a normalised mel (frames, nMels) in [0, 1] and the dB range it was
    /// normalised from: db = mel (dbMax − dbMin) + dbMin, power = 10^(db / 10).
    /// The dB values are relative to the original's loudest bin (`ref=np.max`), whose absolute
    /// level is not stored, so the result is the original up to one overall gain.
    /// A constant mel (dbMax == dbMin, e.g. from silence) carries no signal and gives silence.
    public func audio(normalisedMel mel: [Float], frames: Int, dbMin: Float, dbMax: Float, length: Int? = nil,
                      initialisation: GriffinLim.Initialisation = .random(seed: 0)) -> [Float] {
        let outLen = length ?? self.mel.hop * max(frames - 1, 0)
        if !(dbMax > dbMin) { return [Float](repeating: 0, count: outLen) }
        let range = dbMax - dbMin
        let power = mel.map { Foundation.pow(10, ($0 * range + dbMin) / 10) }
        return audio(melPower: power, frames: frames, length: length, initialisation: initialisation)
    }

    // MARK: small dense helpers (nMels × nMels, double precision)

    /// In-place lower Cholesky factor of a symmetric positive-definite n×n matrix.
    static func cholesky(_ a: inout [Double], _ n: Int) {
        for j in 0..<n {
            var d = a[j * n + j]
            for k in 0..<j { d -= a[j * n + k] * a[j * n + k] }
            let ljj = d > 0 ? d.squareRoot() : 1e-300
            a[j * n + j] = ljj
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for k in 0..<j { s -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = s / ljj
            }
        }
    }

    /// Solves (L Lᵀ) x = b in place, L lower-triangular as left by `cholesky`.
    static func choleskySolve(_ l: UnsafePointer<Double>, _ n: Int, _ x: inout [Double]) {
        for i in 0..<n {
            var s = x[i]
            for k in 0..<i { s -= l[i * n + k] * x[k] }
            x[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * x[k] }
            x[i] = s / l[i * n + i]
        }
    }
}
