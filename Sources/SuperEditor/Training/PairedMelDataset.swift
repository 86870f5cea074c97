import Foundation
import NN
import Tensor

/// The prepared cache as Phase 1 (and Phase 2) training data, as the guide's
/// `PairedMelDataset`: for each pair the raw mel, its aligned target and per-frame labels.
///
/// - Pairs split into training and validation as the cache says (`CacheLayout.split`).
/// - Training batches are random crops of `maxSeqLen` frames; the order is a seeded shuffle
///   per epoch that depends only on the seed and the step, so a resumed run sees exactly the
///   batches it would have seen.
/// - Pairs are read from disk when a batch needs them, through a bounded cache, so memory
///   does not grow with the size of the dataset.
public final class PairedMelDataset {
    public let cache: URL
    public let trainIDs: [String]
    public let validationIDs: [String]
    public let nMels: Int
    public let layout: CacheLayout
    /// The features' sample rate and hop (of the first pair; `prepare` uses one setting).
    public let sampleRate: Int
    public let hopLength: Int
    /// What the pairs are, in words (`train --describe-data`); checkpoints record it.
    public var dataDescription: String?
    private let store: PairStore

    /// One pair's arrays: `frames` rows of `nMels` values each.
    public struct Pair: Sendable {
        public let id: String
        public let frames: Int
        public let mel: [Float]
        public let target: [Float]
        public let labels: [Int]
        /// The edited mel as it is, unaligned (for the Phase 2 reward).
        public let edited: [Float]
        public let editedFrames: Int
        /// The frames the beats `prepare` labelled start at, and their labels.
        public let beatFrames: [Int]
        public let beatLabels: [Int]
        /// The raw's `TransientCrest` per frame (empty in a cache from before it).
        public let transient: [Float]
    }

    public struct Batch {
        public let ids: [String]
        /// (B, T, n_mels), zero past each sequence's end.
        public let mel: Tensor
        public let target: Tensor
        /// B·T labels, PAD past each sequence's end.
        public let labels: [Int]
        public let lengths: [Int]
    }

    public enum Split: String, Sendable { case train, validation }

    /// Opens a cache and checks, before any training, that it has pairs and that the first
    /// pair's arrays agree in shape. The validation split is the cache's own
    /// (`CacheLayout.validationFraction`), so every command sees the same one.
    public init(cache: URL, nMels: Int = 128, memoryBudgetBytes: Int = 512 << 20) throws {
        self.cache = cache
        self.nMels = nMels
        let layout = CacheLayout(root: cache)
        self.layout = layout
        let ids = try layout.trainablePairs()
        guard !ids.isEmpty else { throw InputError(cache.path, "cache has no complete pairs (features, aligned target and labels)") }
        store = PairStore(layout: layout, nMels: nMels, budget: memoryBudgetBytes)
        (trainIDs, validationIDs) = CacheLayout.split(ids, validationFraction: try layout.validationFraction())
        let first = try CacheLayout.readFeatures(layout.rawFeatures(ids[0]), nMels: nMels)
        sampleRate = first.sampleRate
        hopLength = first.hopLength
        _ = try pair(ids[0])
    }

    /// The summary checkpoints record as their `data`: the description and the split's sizes
    /// (no paths, so the same recipe gives the same bytes in any folder).
    public var summary: TrainingDataSummary {
        TrainingDataSummary(description: dataDescription, trainPairs: trainIDs.count, validationPairs: validationIDs.count)
    }

    /// Reads (or recalls) one pair, checking its shapes.
    public func pair(_ id: String) throws -> Pair { try store.pair(id) }

    /// The training batch for `step`: pairs from the seeded per-epoch shuffle, each cropped at
    /// a seeded random offset to at most `maxSeqLen` frames, then padded to the longest.
    ///
    /// With `shard`, only those rows of the batch, padded to the whole batch's length (what a
    /// rank of a data-parallel run trains on).
    public func trainingBatch(step: Int, batchSize: Int, maxSeqLen: Int, seed: UInt64, shard: BatchShard? = nil) throws -> Batch {
        let draws = trainingDraws(step: step, batchSize: batchSize, seed: seed)
        guard let shard else { return try makeBatch(draws.map { try crop($0, maxSeqLen) }) }
        let frames = try draws.map { min(try pair($0.0).frames, maxSeqLen) }.max() ?? 0
        return try makeBatch(draws[shard.range].map { try crop($0, maxSeqLen) }, frames: frames)
    }

    private func crop(_ draw: (String, Int), _ maxSeqLen: Int) throws -> (Pair, Int, Int) {
        let p = try pair(draw.0)
        let start = p.frames > maxSeqLen ? draw.1 % (p.frames - maxSeqLen + 1) : 0
        return (p, start, min(p.frames, maxSeqLen))
    }

    /// The training pairs of `step` from the seeded per-epoch shuffle, each with a seeded
    /// random number (for its crop).
    func trainingDraws(step: Int, batchSize: Int, seed: UInt64) -> [(String, Int)] {
        let n = trainIDs.count
        return (0..<batchSize).map { k in
            let flat = step * batchSize + k
            let epoch = flat / n, position = flat % n
            let order = Self.permutation(n, seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
            var rng = RandomGenerator(seed: seed ^ (UInt64(flat) &* 0xD1B5_4A32_D192_ED03))
            return (trainIDs[order[position]], Int(rng.next() >> 1))
        }
    }

    /// Whole training tracks for `step`, in the same seeded order as `trainingBatch`.
    public func trainingTracks(step: Int, batchSize: Int, seed: UInt64) throws -> [Pair] {
        try trainingDraws(step: step, batchSize: batchSize, seed: seed).map { try pair($0.0) }
    }

    /// Whole tracks as one padded batch, with their beats laid out for a beat policy and the
    /// per-beat labels (B·NB, PAD for padding beats).
    ///
    /// With `shard`, only those tracks, padded to the whole batch's frames and beats (what a
    /// rank of a data-parallel run trains on). `beatFeatures`: those the policy reads.
    public func trackBatch(_ all: [Pair], shard: BatchShard? = nil, beatFeatures: Int = BeatFeatures.count) throws -> (batch: Batch, beats: BeatLayout, beatLabels: [Int]) {
        let pairs = shard.map { Array(all[$0.range]) } ?? all
        let frames = shard == nil ? nil : all.map(\.frames).max() ?? 0
        let minBeats = shard == nil ? 0 : all.map(Self.beatCount).max() ?? 0
        let batch = try makeBatch(pairs.map { ($0, 0, $0.frames) }, frames: frames)
        let layout = BeatLayout(mel: batch.mel, lengths: batch.lengths, beatFrames: pairs.map(\.beatFrames), transients: pairs.map(\.transient),
                                frameRate: Double(sampleRate) / Double(hopLength), minBeats: minBeats,
                                featureCount: beatFeatures)
        var labels = [Int](repeating: EditLabel.pad.rawValue, count: pairs.count * layout.beats)
        for (i, p) in pairs.enumerated() {
            // A track without beats is one beat (BeatLayout); it takes its first frame's label.
            let beatLabels = p.beatLabels.isEmpty ? [p.labels.first ?? EditLabel.keep.rawValue] : p.beatLabels
            for (k, l) in beatLabels.enumerated() { labels[i * layout.beats + k] = l }
        }
        return (batch, layout, labels)
    }

    /// Validation windows: every validation pair cut into consecutive windows of at most
    /// `maxSeqLen` frames, in batches of `batchSize`.
    public func validationBatches(batchSize: Int, maxSeqLen: Int) throws -> [Batch] {
        var windows: [(Pair, Int, Int)] = []
        for id in validationIDs {
            let p = try pair(id)
            var s = 0
            while s < p.frames { windows.append((p, s, min(maxSeqLen, p.frames - s))); s += maxSeqLen }
        }
        return try stride(from: 0, to: windows.count, by: batchSize).map {
            try makeBatch(Array(windows[$0..<min(windows.count, $0 + batchSize)]))
        }
    }

    /// Items (pair, first frame, frames) padded to `frames` (default: the longest item).
    /// The beats a track has in a `BeatLayout` (a track without beats is one beat).
    static func beatCount(_ p: Pair) -> Int {
        EditTimeline.beatSpans(positions: p.beatFrames.isEmpty ? [0] : p.beatFrames, total: p.frames).count
    }

    func makeBatch(_ items: [(Pair, Int, Int)], frames: Int? = nil) throws -> Batch {
        let t = frames ?? items.map(\.2).max() ?? 0
        let b = items.count, m = nMels
        let mel = Tensor.zeros([b, t, m]), target = Tensor.zeros([b, t, m])
        var labels = [Int](repeating: EditLabel.pad.rawValue, count: b * t)
        for (i, (p, start, len)) in items.enumerated() {
            p.mel.withUnsafeBufferPointer { (mel.data + i * t * m).update(from: $0.baseAddress! + start * m, count: len * m) }
            p.target.withUnsafeBufferPointer { (target.data + i * t * m).update(from: $0.baseAddress! + start * m, count: len * m) }
            for f in 0..<len { labels[i * t + f] = p.labels[start + f] }
        }
        return Batch(ids: items.map(\.0.id), mel: mel, target: target, labels: labels, lengths: items.map(\.2))
    }

    static func permutation(_ n: Int, seed: UInt64) -> [Int] {
        var rng = RandomGenerator(seed: seed)
        var a = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return a
    }
}

/// Loads pairs on demand and keeps the most recently used ones within a byte budget.
final class PairStore {
    let layout: CacheLayout
    let nMels: Int
    let budget: Int
    private var entries: [String: PairedMelDataset.Pair] = [:]
    private var order: [String] = []
    private var bytes = 0
    private let lock = NSLock()

    init(layout: CacheLayout, nMels: Int, budget: Int) {
        self.layout = layout
        self.nMels = nMels
        self.budget = budget
    }

    func pair(_ id: String) throws -> PairedMelDataset.Pair {
        lock.lock()
        if let p = entries[id] {
            order.removeAll { $0 == id }
            order.append(id)
            lock.unlock()
            return p
        }
        lock.unlock()
        let p = try load(id)
        let size = (p.mel.count + p.target.count + p.edited.count) * 4 + p.labels.count * 8
        lock.lock()
        defer { lock.unlock() }
        while bytes + size > budget, let oldest = order.first {
            order.removeFirst()
            if let e = entries.removeValue(forKey: oldest) {
                bytes -= (e.mel.count + e.target.count + e.edited.count) * 4 + e.labels.count * 8
            }
        }
        if size <= budget {
            entries[id] = p
            order.append(id)
            bytes += size
        }
        return p
    }

    private func load(_ id: String) throws -> PairedMelDataset.Pair {
        let rawURL = layout.rawFeatures(id), targetURL = layout.alignedTarget(id), labelsURL = layout.frameLabels(id)
        let raw = try CacheLayout.readFeatures(rawURL, nMels: nMels)
        let edit = try CacheLayout.readFeatures(layout.editedFeatures(id), nMels: nMels)
        let frames = raw.frames
        let target = try NPY.read(targetURL)
        guard target.shape == [frames, nMels] else {
            throw InputError(targetURL.path, "aligned target has shape \(target.shape), expected [\(frames), \(nMels)] to match the raw mel")
        }
        let ints = try CacheLayout.readLabels(labelsURL, count: frames).map(\.rawValue)
        let beatsURL = layout.beats(id)
        let beatTimes = try CacheLayout.readBeatTimes(beatsURL)
        let frameRate = Double(raw.sampleRate) / Double(raw.hopLength)
        let beatFrames = beatTimes.map { Int(($0 * frameRate).rounded()) }
        guard zip(beatFrames, beatFrames.dropFirst()).allSatisfy({ $0 < $1 }), (beatFrames.last ?? 0) < max(frames, 1) else {
            throw InputError(beatsURL.path, "beat times must increase and lie inside the track's \(frames) frames")
        }
        let beatLabels = try CacheLayout.readLabels(layout.beatLabels(id), count: beatFrames.count).map(\.rawValue)
        let targetValues = target.floats()
        if targetValues.contains(where: { !$0.isFinite }) { throw InputError(targetURL.path, "target has non-finite values") }
        return .init(id: id, frames: frames, mel: raw.mel, target: targetValues, labels: ints,
                     edited: edit.mel, editedFrames: edit.frames, beatFrames: beatFrames, beatLabels: beatLabels,
                     transient: raw.transient)
    }
}
