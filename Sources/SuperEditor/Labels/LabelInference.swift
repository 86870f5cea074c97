import Tensor
import AudioDSP
import Foundation
import NN

/// The guide's `create_edit_labels`: per-beat edit labels inferred from a (raw, edited) pair.
///
/// 1. Beats come from the raw track (`FeatureExtractor`, librosa's tracker), continued at the
///    same interval over the untracked lead-in and tail (`extendBeats`).
/// 2. The edited mel is aligned to the raw one with `JumpAlignment` (DTW that can follow cuts
///    and loops) on gain-invariant features: each frame's dB spectrum relative to its own
///    loudest band, floored `alignmentRange` dB below it.
/// 3. The timeline gives CUT (most of the beat's frames are never played), LOOP (most are
///    played in two passes) and otherwise a beat that is played once.
/// 4. How a played-once beat sounds in the edit, compared with the raw (per frame, over the
///    bands within `analysisRange` dB of the frame's peak, after removing the global level
///    difference between the files), gives the rest:
///    EFFECT when the change falls steeply with frequency from the start of the beat on (a
///    crossfade into a filtered section tilts only late), TRANSITION when the spectrum's
///    shape changed otherwise (another sound mixed in), FADE_IN / FADE_OUT when the beat is
///    quieter with a rising / falling level, otherwise KEEP.
public struct LabelInference: Sendable {
    public var alignment = JumpAlignment()
    public var alignmentRange: Float = 50
    public var analysisRange: Float = 40
    /// A beat is CUT when fewer than this share of its frames is played.
    public var cutBelow: Double = 0.5
    /// A beat is LOOP when at least this share of its frames is played twice or more.
    public var loopFrom: Double = 0.5
    /// Tilt (dB, top quarter of the bands minus the bottom quarter) below which a beat is EFFECT.
    public var effectTilt: Float = -8.5
    /// Level change (dB) below which a beat is a fade.
    public var fadeGain: Float = -1.5
    /// Shape change (RMS dB) above which a beat is TRANSITION.
    public var transitionShape: Float = 2
    /// Largest raw × edited frame count aligned (about 11 minutes of audio on each side).
    public var maximumAlignmentCells = 800_000_000
    /// Beats further apart than this (seconds; 79 BPM) are split: labels are per beat of the music.
    public var maximumBeatInterval = 0.76

    public init() {}

    /// What the inference measured on one beat (for tuning and for reports).
    public struct BeatMeasure: Sendable, Codable {
        public var played: Double
        public var looped: Double
        public var gain: Float
        public var slope: Float
        public var tilt: Float
        /// Tilt over the first 40% of the beat (a crossfade into a filtered section only
        /// tilts late in its beat; the effect itself tilts throughout).
        public var earlyTilt: Float
        public var shape: Float
    }

    public struct Result: Sendable {
        public var beatTimes: [Double]
        public var beatFrames: [Int]
        public var labels: [EditLabel]
        public var measures: [BeatMeasure]
        public var path: JumpAlignment.Path
    }

    /// Labels from two audio files.
    public func infer(raw rawURL: URL, edited editedURL: URL) throws -> (result: Result, raw: AudioFeatures, edited: AudioFeatures) {
        let extractor = FeatureExtractor()
        let raw = try extractor.extract(rawURL)
        let edited = try extractor.extract(editedURL)
        return (try infer(raw: raw, edited: edited, rawName: rawURL.path), raw, edited)
    }

    /// Labels from the two files' features (mel, dB range and the raw beats), in three stages:
    /// align the edit to the raw, measure each raw frame's change, then measure and classify
    /// each beat.
    public func infer(raw: AudioFeatures, edited: AudioFeatures, rawName: String = "raw") throws -> Result {
        guard !raw.beatFrames.isEmpty else { throw InputError(rawName, "no beats detected (silent or without rhythm)") }
        let n = raw.frames, m = edited.frames
        // The alignment keeps one byte per (raw, edited) frame pair.
        guard n * m <= maximumAlignmentCells else {
            throw InputError(rawName, String(format: "too long to align with its edit (%d × %d frames, about %.0f MB); split the pair into parts of a few minutes",
                                             n, m, Double(n * m) / 1e6))
        }
        let rawDB = Self.decibels(raw), editDB = Self.decibels(edited)
        let path = align(raw: raw, rawDB: rawDB, edited: edited, editDB: editDB)
        let passes = path.passes()
        let changes = frameChanges(raw: raw, rawDB: rawDB, editDB: editDB, firstEdited: path.firstEditedFrame())

        let beatFrames = beatGrid(raw)
        let interval = Self.medianInterval(beatFrames)
        var labels: [EditLabel] = []
        var measures: [BeatMeasure] = []
        for var span in EditTimeline.beatSpans(positions: beatFrames, total: n) {
            // The first beat also covers the start and the last one the end; judge each on
            // one beat's length from its beat frame.
            if let step = interval {
                span = span.lowerBound..<min(span.upperBound, span.lowerBound + step)
                if span.lowerBound == 0, let f = beatFrames.first, f > 0 { span = f..<min(n, f + step) }
            }
            guard !span.isEmpty else {
                labels.append(labels.last ?? .keep)
                measures.append(BeatMeasure(played: 0, looped: 0, gain: 0, slope: 0, tilt: 0, earlyTilt: 0, shape: 0))
                continue
            }
            let measure = Self.measureBeat(span, passes: passes, changes: changes)
            measures.append(measure)
            labels.append(classify(measure))
        }
        let beatTimes = beatFrames.map { Double($0 * raw.hopLength) / Double(raw.sampleRate) }
        return Result(beatTimes: beatTimes, beatFrames: beatFrames, labels: labels, measures: measures, path: path)
    }

    /// The monotone path that plays the edited file from the raw one, on shaped, pooled dB.
    func align(raw: AudioFeatures, rawDB: [Float], edited: AudioFeatures, editDB: [Float]) -> JumpAlignment.Path {
        let dims = raw.nMels
        return alignment.align(raw: Self.shapeFeatures(rawDB, frames: raw.frames, dims: dims, range: alignmentRange,
                                                       silentAt: raw.dbMin), n: raw.frames,
                               edited: Self.shapeFeatures(editDB, frames: edited.frames, dims: dims, range: alignmentRange,
                                                          silentAt: edited.dbMin), m: edited.frames,
                               dims: dims / Self.alignmentPool + 1)
    }

    /// Per raw frame, against the edited frame that plays it first: the level change (less the
    /// files' normalisation offset), the spectral tilt change and the shape change. NaN where
    /// the frame is silent or never played.
    struct FrameChanges {
        var gain: [Float]
        var tilt: [Float]
        var shape: [Float]
    }

    func frameChanges(raw: AudioFeatures, rawDB: [Float], editDB: [Float], firstEdited first: [Int?]) -> FrameChanges {
        let dims = raw.nMels, n = raw.frames
        var gain = [Float](repeating: .nan, count: n), tilt = [Float](repeating: .nan, count: n)
        var shape = [Float](repeating: .nan, count: n)
        rawDB.withUnsafeBufferPointer { rb in
            editDB.withUnsafeBufferPointer { eb in
                for i in 0..<n {
                    guard let j = first[i] else { continue }
                    let r = rb.baseAddress! + i * dims, e = eb.baseAddress! + j * dims
                    var peak = -Float.infinity
                    for b in 0..<dims { peak = max(peak, r[b]) }
                    if peak <= raw.dbMin + 1 { continue } // a silent raw frame says nothing
                    var sum: Float = 0, count: Float = 0
                    for b in 0..<dims where r[b] > peak - analysisRange { sum += e[b] - r[b]; count += 1 }
                    guard count > 0 else { continue }
                    let g = sum / count
                    var ss: Float = 0
                    for b in 0..<dims where r[b] > peak - analysisRange { let d = e[b] - r[b] - g; ss += d * d }
                    gain[i] = g
                    shape[i] = (ss / count).squareRoot()
                    // Tilt: mean change over the top quarter of the analysed bands minus the
                    // bottom quarter (adapts to where the frame has content; a low-pass
                    // makes it steeply negative).
                    let quarter = Int(count) / 4
                    if quarter >= 2 {
                        var seen = 0, lo: Float = 0, hi: Float = 0
                        for b in 0..<dims where r[b] > peak - analysisRange {
                            if seen < quarter { lo += e[b] - r[b] } else if seen >= Int(count) - quarter { hi += e[b] - r[b] }
                            seen += 1
                        }
                        tilt[i] = (hi - lo) / Float(quarter)
                    }
                }
            }
        }
        // The two files are normalised to their own loudest frame: remove that offset.
        let offset = Self.mode(gain.filter { !$0.isNaN }) ?? 0
        for i in 0..<n where !gain[i].isNaN { gain[i] -= offset }
        return FrameChanges(gain: gain, tilt: tilt, shape: shape)
    }

    /// What happened to one beat's frames: how much of it plays, how much twice, and its
    /// level, level slope, tilt and shape change over the inner frames.
    static func measureBeat(_ span: Range<Int>, passes: [Int], changes: FrameChanges) -> BeatMeasure {
        let played = Double(span.filter { passes[$0] >= 1 }.count) / Double(span.count)
        let looped = Double(span.filter { passes[$0] >= 2 }.count) / Double(span.count)
        // Leave out the frames next to the beat's edges: their windows straddle the joins.
        let trim = span.count >= 8 ? 2 : (span.count >= 4 ? 1 : 0)
        let inner = (span.lowerBound + trim)..<(span.upperBound - trim)
        var xs: [Float] = [], gs: [Float] = [], ts: [Float] = [], early: [Float] = [], ss: [Float] = []
        for i in inner where !changes.gain[i].isNaN && passes[i] >= 1 {
            let x = Float(i - span.lowerBound) / Float(span.count)
            xs.append(x)
            gs.append(changes.gain[i])
            ss.append(changes.shape[i])
            let t = changes.tilt[i]
            if !t.isNaN { ts.append(t); if x < 0.4 { early.append(t) } }
        }
        let g = gs.isEmpty ? 0 : gs.reduce(0, +) / Float(gs.count)
        return BeatMeasure(played: played, looped: looped, gain: g, slope: slope(xs, gs),
                           tilt: median(ts) ?? 0, earlyTilt: median(early) ?? median(ts) ?? 0,
                           shape: median(ss) ?? 0)
    }

    public func classify(_ m: BeatMeasure) -> EditLabel {
        if m.played < cutBelow { return .cut }
        if m.looped >= loopFrom { return .loop }
        if max(m.tilt, m.earlyTilt) < effectTilt { return .effect }
        if m.shape > transitionShape { return .transition }
        if m.gain < fadeGain { return m.slope >= 0 ? .fadeIn : .fadeOut }
        return .keep
    }

    /// The beats labels are decided on: librosa's, continued over the trimmed lead-in and
    /// tail and split where the tracker locked onto half the tempo. `edit` uses the same grid.
    public func beatGrid(_ f: AudioFeatures) -> [Int] {
        let longest = Int(maximumBeatInterval * Double(f.sampleRate) / Double(f.hopLength))
        return Self.subdivide(Self.extendBeats(f.beatFrames, frames: f.frames), longest: longest)
    }

    /// librosa trims weak beats at both ends, so a silent lead-in or tail has no beat of its
    /// own and would inherit the music's label. Continue the grid there at the median beat
    /// interval so those stretches get labels of their own.
    public static func extendBeats(_ frames: [Int], frames total: Int) -> [Int] {
        guard let step = medianInterval(frames), step > 0 else { return frames }
        var before: [Int] = []
        var f = frames.first! - step
        while f >= 0 { before.append(f); f -= step }
        var after: [Int] = []
        f = frames.last! + step
        while f < total - step / 4 { after.append(f); f += step }
        return before.reversed() + frames + after
    }

    /// Splits every beat longer than `longest` frames into equal parts (the tracker can lock
    /// onto half the tempo; labels then still come at the music's own beat).
    public static func subdivide(_ frames: [Int], longest: Int) -> [Int] {
        guard frames.count >= 2, longest > 0 else { return frames }
        var out: [Int] = []
        for k in 0..<(frames.count - 1) {
            let a = frames[k], b = frames[k + 1]
            let parts = max(1, Int((Double(b - a) / Double(longest)).rounded(.up)))
            for p in 0..<parts { out.append(a + (b - a) * p / parts) }
        }
        out.append(frames.last!)
        return out
    }

    static func medianInterval(_ frames: [Int]) -> Int? {
        guard frames.count >= 2 else { return nil }
        let d = zip(frames.dropFirst(), frames).map { $0 - $1 }.sorted()
        return d[d.count / 2]
    }

    /// The normalised mel back in dB (relative to the file's loudest point).
    static func decibels(_ f: AudioFeatures) -> [Float] {
        let range = f.dbMax - f.dbMin
        return f.mel.map { $0 * range + f.dbMin }
    }

    /// Each frame relative to its own loudest band, floored `range` dB below: a gain change
    /// leaves these features unchanged. One extra feature marks digital silence (every band
    /// at the file's floor), so that a faded, quiet frame is never mistaken for silence: it
    /// adds `silenceCost` dB to the RMS cost of matching silence with sound.
    ///
    /// Neighbouring bands are averaged in groups of `pool` (alignment needs the outline of
    /// the spectrum, not every band, and the cost matrix shrinks by the same factor).
    static func shapeFeatures(_ db: [Float], frames: Int, dims: Int, range: Float, silentAt floor: Float,
                              silenceCost: Float = 20, pool: Int = alignmentPool) -> [Float] {
        let bands = dims / pool
        var out = [Float](repeating: 0, count: frames * (bands + 1))
        let flag = silenceCost * Float(bands + 1).squareRoot()
        db.withUnsafeBufferPointer { ib in
            out.withUnsafeMutableBufferPointer { ob in
                for t in 0..<frames {
                    let src = ib.baseAddress! + t * dims, dst = ob.baseAddress! + t * (bands + 1)
                    var peak = -Float.infinity
                    for b in 0..<dims { peak = max(peak, src[b]) }
                    // Silence has no bands at all: every band at the floor, so that it is
                    // never a cheap match for an edited frame that is merely quieter.
                    let silent = peak <= floor + 0.01
                    for g in 0..<bands {
                        var sum: Float = 0
                        // A band at the file's floor has no measurable energy: treat it as
                        // "nothing there", whatever the frame's own level (a faded frame
                        // reaches the floor sooner than its raw counterpart).
                        for b in (g * pool)..<((g + 1) * pool) { sum += src[b] <= floor + 0.01 ? -range : max(src[b] - peak, -range) }
                        dst[g] = silent ? -range : sum / Float(pool)
                    }
                    dst[bands] = silent ? flag : 0
                }
            }
        }
        return out
    }

    /// Mel bands averaged into one alignment feature.
    public static let alignmentPool = 1

    /// The most common value, to 0.25 dB: the level difference most frames share.
    static func mode(_ x: [Float]) -> Float? {
        guard !x.isEmpty else { return nil }
        var bins: [Int: Int] = [:]
        for v in x { bins[Int((v * 4).rounded()), default: 0] += 1 }
        // Smooth over neighbouring bins so a flat spread does not pick a stray bin.
        let best = bins.keys.max { a, b in
            let ca = (bins[a - 1] ?? 0) + 2 * bins[a]! + (bins[a + 1] ?? 0)
            let cb = (bins[b - 1] ?? 0) + 2 * bins[b]! + (bins[b + 1] ?? 0)
            return ca != cb ? ca < cb : a > b
        }!
        return Float(best) / 4
    }

    static func median(_ x: [Float]) -> Float? {
        guard !x.isEmpty else { return nil }
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Least-squares slope of y over x (dB per beat).
    static func slope(_ x: [Float], _ y: [Float]) -> Float {
        guard x.count >= 2 else { return 0 }
        let mx = x.reduce(0, +) / Float(x.count), my = y.reduce(0, +) / Float(y.count)
        var num: Float = 0, den: Float = 0
        for k in 0..<x.count { num += (x[k] - mx) * (y[k] - my); den += (x[k] - mx) * (x[k] - mx) }
        return den > 0 ? num / den : 0
    }
}
