import AudioDSP
import Foundation
import NN
import Tensor

/// Runs checkpoints on cached features (`.npy` arrays), with the checks a command line needs:
/// shapes, dtypes, label range and finite values, each reported against the file it came from.
public enum FeatureInference {
    /// A mel of shape (T, n_mels) or (B, T, n_mels) as a batched tensor, and whether it was batched.
    public static func melTensor(_ array: NPYArray, path: String, nMels: Int) throws -> (Tensor, batched: Bool) {
        guard array.dtype == .float32 || array.dtype == .float64 else {
            throw InputError(path, "mel must be float32 or float64, got \(array.dtype.rawValue)")
        }
        guard (array.shape.count == 2 || array.shape.count == 3), array.shape.last == nMels else {
            throw InputError(path, "mel must have shape (T, \(nMels)) or (B, T, \(nMels)), got \(array.shape)")
        }
        guard array.count > 0 else { throw InputError(path, "mel is empty") }
        let t = array.tensor()
        for i in 0..<t.count where !t.data[i].isFinite {
            throw InputError(path, "mel has a non-finite value at flat index \(i)")
        }
        let batched = array.shape.count == 3
        return (batched ? t : t.unsqueezed(0).detached(), batched)
    }

    /// Labels matching a (B, T) mel: integers in 0…7.
    public static func labels(_ array: NPYArray, path: String, batch: Int, frames: Int, batched: Bool) throws -> [Int] {
        guard [.int64, .int32].contains(array.dtype) else {
            throw InputError(path, "labels must be int64 or int32, got \(array.dtype.rawValue)")
        }
        let expected = batched ? [batch, frames] : [frames]
        guard array.shape == expected else {
            throw InputError(path, "labels have shape \(array.shape), expected \(expected) to match the mel")
        }
        let values = array.ints()
        if let bad = values.first(where: { $0 < 0 || $0 >= EditLabel.count }) {
            throw InputError(path, "label \(bad) is outside 0…\(EditLabel.count - 1)")
        }
        return values
    }

    /// The reconstruction model's edited mel for `mel` and `labels`, in the mel's own shape:
    /// as at inference (`ReconstructionModel.infer`: windows of the training length, clamped to
    /// [0, 1]), or with `raw` the plain forward over the whole sequence, as the reference's.
    public static func reconstruct(checkpoint: URL, mel melURL: URL, labels labelsURL: URL, raw: Bool = false) throws -> NPYArray {
        let model = try Checkpoint.loadReconstruction(checkpoint)
        model.eval()
        let (mel, batched) = try melTensor(try NPY.read(melURL), path: melURL.path, nMels: model.config.nMels)
        let labels = try labels(try NPY.read(labelsURL), path: labelsURL.path,
                                batch: mel.shape[0], frames: mel.shape[1], batched: batched)
        let out = raw ? noGrad { model(mel, labels: labels) } : model.infer(mel, labels: labels)
        return NPYArray(out.scalars, shape: batched ? out.shape : Array(out.shape.dropFirst()))
    }

    /// Greedy labels from a policy, and its masked logits (per frame; a beat policy's are its beats'), in the mel's own batching.
    /// `mel` is a `.npy` mel or a features `.npz`. A beat policy decides per beat, one track
    /// (T, n_mels) at a time, on `beats` (a `.npy` of beat start times in seconds, as the
    /// cache's `labels/{id}_beats.npy`) or, for a features `.npz`, on its beat grid.
    /// A frame policy ignores `beats`.
    public static func predict(policy: URL, mel melURL: URL, beats beatsURL: URL? = nil,
                               frameRate: Double = Double(AudioFile.defaultSampleRate) / 512) throws -> (labels: NPYArray, logits: NPYArray) {
        let model = try Checkpoint.loadPolicy(policy)
        model.eval()
        // A features .npz (as `features` and `prepare` write) carries its own mel, rate and beats.
        let features = melURL.pathExtension == "npz" ? try CacheLayout.readFeatures(melURL, nMels: model.config.nMels) : nil
        let melArray = try features.map { NPYArray($0.mel, shape: [$0.frames, $0.nMels]) } ?? NPY.read(melURL)
        let (mel, batched) = try melTensor(melArray, path: melURL.path, nMels: model.config.nMels)
        let b = mel.shape[0], t = mel.shape[1]
        let frameRate = features.map { Double($0.sampleRate) / Double($0.hopLength) } ?? frameRate
        var beatFrames: [Int] = []
        if model.config.architecture == .beat {
            guard !batched || b == 1 else { throw InputError(melURL.path, "a beat policy takes one track (T, n_mels) at a time") }
            if let beatsURL {
                let values = try CacheLayout.readBeatTimes(beatsURL)
                guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw InputError(beatsURL.path, "beat times must increase")
                }
                beatFrames = values.map { Int(($0 * frameRate).rounded()) }.filter { $0 < t }
            } else if let features {
                // The grid `prepare` labels on and `edit` decides on.
                beatFrames = features.beatFrames.isEmpty ? [] : LabelInference().beatGrid(features)
            } else {
                throw InputError(policy.path, "a beat policy needs --beats (beat start times in seconds, .npy) or a features .npz as --mel")
            }
        }
        let logits: Tensor
        if let beat = model as? BeatPolicy {
            let layout = BeatLayout(mel: mel, lengths: [t], beatFrames: [beatFrames], transients: [features?.transient ?? []],
                                    frameRate: frameRate, featureCount: beat.config.beatFeatures)
            logits = noGrad { beat.frameLogits(mel, beats: layout) }
        } else {
            logits = noGrad { (model as! EditPredictor)(mel) }
        }
        let labels = logits.argmaxLastAxis()
        return (NPYArray(labels.map { Int64($0) }, shape: batched ? [b, t] : [t]),
                NPYArray(logits.scalars, shape: batched ? logits.shape : Array(logits.shape.dropFirst())))
    }
}
