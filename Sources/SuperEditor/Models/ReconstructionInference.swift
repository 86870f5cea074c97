import Tensor

extension ReconstructionModel {
    /// The model at inference: eval mode, no graph, each sequence run in windows of at most
    /// `config.trainedFrames` frames (positions past the training crop were never trained:
    /// the tiny model trained on 256-frame crops has validation L1 0.027 on 256-frame windows
    /// and 0.045 on 1024-frame ones), output clamped to the normalised mel's [0, 1] unless
    /// `clamp` is false.
    ///
    /// A sequence ends at its last non-PAD label; its frames past that are 0 in the output.
    /// Windows are batched `mel.shape[0]` at a time, so memory stays that of the batch.
    public func infer(_ mel: Tensor, labels: [Int], clamp: Bool = true) -> Tensor {
        eval()
        let b = mel.shape[0], t = mel.shape[1], m = mel.shape[2]
        let pad = EditLabel.pad.rawValue
        let window = config.trainedFrames ?? t
        if window >= t {
            return noGrad { clamp ? self(mel, labels: labels).clamp(min: 0, max: 1) : self(mel, labels: labels) }
        }
        var pieces: [(row: Int, start: Int, count: Int)] = []
        for i in 0..<b {
            let length = (0..<t).last { labels[i * t + $0] != pad }.map { $0 + 1 } ?? 0
            var s = 0
            while s < length { pieces.append((i, s, min(window, length - s))); s += window }
        }
        let out = Tensor.zeros([b, t, m])
        for first in stride(from: 0, to: pieces.count, by: b) {
            let group = pieces[first..<min(pieces.count, first + b)]
            let tw = group.map(\.count).max() ?? 0
            let x = Tensor.zeros([group.count, tw, m])
            var l = [Int](repeating: pad, count: group.count * tw)
            for (k, p) in group.enumerated() {
                (x.data + k * tw * m).update(from: mel.data + (p.row * t + p.start) * m, count: p.count * m)
                for f in 0..<p.count { l[k * tw + f] = labels[p.row * t + p.start + f] }
            }
            let y = noGrad { clamp ? self(x, labels: l).clamp(min: 0, max: 1) : self(x, labels: l) }
            for (k, p) in group.enumerated() {
                (out.data + (p.row * t + p.start) * m).update(from: y.data + k * tw * m, count: p.count * m)
            }
        }
        return out
    }
}
