import Tensor

/// The guide's frequency-aware loss: each spectrogram is flattened to one long signal
/// (T·n_mels samples) and compared at three STFT resolutions with a rectangular window, by
/// spectral convergence plus L1 of the log magnitudes.
public struct MultiScaleSTFTLoss: Sendable {
    public var fftSizes = [512, 1024, 2048]
    public var hopSizes = [128, 256, 512]
    public var winSizes = [512, 1024, 2048]

    public init() {}

    /// pred and target (B, T, n_mels); gradients flow to `pred` only.
    /// With `batch`, these are a rank's rows of a split batch: the norms and means are the
    /// whole batch's.
    public func callAsFunction(_ pred: Tensor, _ target: Tensor, over batch: BatchReduction = .local) -> Tensor {
        Profiler.measure(.stftLoss, absorbing: true) { loss(pred, target, over: batch) }
    }

    func loss(_ pred: Tensor, _ target: Tensor, over batch: BatchReduction) -> Tensor {
        let b = pred.shape[0]
        let p = pred.reshaped([b, -1])
        let t = target.detached().reshaped([b, -1])
        var total: Tensor?
        for ((fft, hop), win) in zip(zip(fftSizes, hopSizes), winSizes) {
            let ps = p.stft(nFFT: fft, hop: hop, winLength: win)
            let (ts, tLogMag): (Tensor, Tensor) = noGrad {
                let ts = t.stft(nFFT: fft, hop: hop, winLength: win)
                return (ts, (ts.complexAbs() + 1e-8).log())
            }
            let d = ts - ps
            let sc = batch.sum(d * d).sqrt() / noGrad { batch.sum(ts * ts) }.sqrt()
            let mag = batch.mean(((ps.complexAbs() + 1e-8).log() - tLogMag).abs())
            let term = sc + mag
            total = total.map { $0 + term } ?? term
        }
        return total! / Float(fftSizes.count)
    }
}
