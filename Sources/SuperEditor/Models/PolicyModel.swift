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

/// How a beat policy decides a track longer than its decision window: in windows of `window`
/// beats that overlap by half, each deciding the beats nearest its centre, so every beat but
/// the track's first and last quarter-window sees at least a quarter window either side.
/// A window sees its stretch as if it were a whole track; a track no longer than `window`
/// (or any track, for a window of 0) is one window.
struct DecisionWindows {
    struct Window { let beats: Range<Int>; let decides: Range<Int> }
    let windows: [Window]

    init(beats nb: Int, window: Int) {
        guard window > 0, nb > window else { windows = [Window(beats: 0..<nb, decides: 0..<nb)]; return }
        let step = max(1, window / 2)
        var starts = Array(stride(from: 0, to: nb - window, by: step))
        starts.append(nb - window)
        var out: [Window] = []
        var from = 0
        for (i, s) in starts.enumerated() {
            let to = i + 1 < starts.count ? (s + starts[i + 1] + window) / 2 : nb
            out.append(Window(beats: s..<(s + window), decides: from..<to))
            from = to
        }
        windows = out
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
