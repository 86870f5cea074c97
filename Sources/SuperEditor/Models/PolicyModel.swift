import NN
import Tensor

/// A Phase 2 policy of either architecture (`PolicyArchitecture`), as `edit`, `predict` and
/// the evaluations use it.
public protocol PolicyModel: Module {
    var config: PredictorConfig { get }
    /// Per-frame log-probabilities (frames × 8, row-major) for one whole track: `mel` is
    /// frames × n_mels, `beatFrames` the grid its beats start at. A frame policy runs in
    /// consecutive windows of at most `window` frames; a beat policy sees the whole track, or
    /// windows of `decision_window` beats of a longer one (`DecisionWindows`), and its
    /// `TransientCrest` per frame (`transient`, empty when not known).
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
        let spans = EditTimeline.beatSpans(positions: beatFrames.isEmpty ? [0] : beatFrames, total: frames)
        let windows = DecisionWindows(beats: spans.count, window: config.decisionWindow)
        let m = config.nMels, width = EditLabel.count
        var out = [Float](repeating: 0, count: frames * width)
        for w in windows.windows {
            let f0 = spans[w.beats.lowerBound].lowerBound, f1 = spans[w.beats.upperBound - 1].upperBound
            let x = Tensor(Array(mel[(f0 * m)..<(f1 * m)]), shape: [1, f1 - f0, m])
            let grid = spans[w.beats].map { $0.lowerBound - f0 }
            let crest = transient.isEmpty ? [] : Array(transient[f0..<f1])
            let layout = BeatLayout(mel: x, lengths: [f1 - f0], beatFrames: [grid], transients: [crest], frameRate: frameRate,
                                    featureCount: config.beatFeatures)
            let logp = noGrad { frameLogits(x, beats: layout).logSoftmax() }.scalars
            let k0 = spans[w.decides.lowerBound].lowerBound, k1 = spans[w.decides.upperBound - 1].upperBound
            for r in (k0 * width)..<(k1 * width) { out[r] = logp[r - f0 * width] }
        }
        return out
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
