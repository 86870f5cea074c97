import NN
import Tensor

/// A Phase 2 policy of either architecture (`PolicyArchitecture`), as `edit`, `predict` and
/// the evaluations use it.
public protocol PolicyModel: Module {
    var config: PredictorConfig { get }
    /// Per-frame log-probabilities (frames × 8, row-major) for one whole track: `mel` is
    /// frames × n_mels, `beatFrames` the grid its beats start at. A frame policy runs in
    /// consecutive windows of at most `window` frames; a beat policy sees the whole track and
    /// its `TransientCrest` per frame (`transient`, empty when not known).
    func trackLogProbabilities(mel: [Float], frames: Int, beatFrames: [Int], transient: [Float], frameRate: Double, window: Int) -> [Float]
}

extension EditPredictor: PolicyModel {
    public func trackLogProbabilities(mel: [Float], frames: Int, beatFrames: [Int], transient: [Float], frameRate: Double, window: Int) -> [Float] {
        let x = Tensor(mel, shape: [1, frames, config.nMels])
        return windowedRows(frames, window: window) { range in noGrad { self(x.slice(axis: 1, range)).logSoftmax() } }
    }
}

extension BeatPolicy: PolicyModel {
    public func trackLogProbabilities(mel: [Float], frames: Int, beatFrames: [Int], transient: [Float], frameRate: Double, window: Int) -> [Float] {
        let x = Tensor(mel, shape: [1, frames, config.nMels])
        let layout = BeatLayout(mel: x, lengths: [frames], beatFrames: [beatFrames], transients: [transient], frameRate: frameRate,
                                featureCount: config.beatFeatures)
        return noGrad { frameLogits(x, beats: layout).logSoftmax() }.scalars
    }
}

/// `body` over consecutive windows of at most `window` of `t` frames, its rows joined.
func windowedRows(_ t: Int, window: Int, _ body: (Range<Int>) throws -> Tensor) rethrows -> [Float] {
    var out: [Float] = []
    var s = 0
    while s < t {
        let e = min(t, s + window)
        out += try body(s..<e).scalars
        s = e
    }
    return out
}
