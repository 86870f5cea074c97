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
/// 4. How each raw frame sounds in the edit, compared with the raw (after removing the global
///    level difference between the files), is measured per frame, and a played-once beat
///    takes the label most of its frames carry, as a careful listener would mark it
///    whatever the edit's boundaries: EFFECT when most frames are low-passed (the change
///    falls steeply above some band, which lost level outright), FADE_IN / FADE_OUT when most
///    lie in a fade run (a stretch quieter than the raw, rising or falling), TRANSITION when
///    the spectrum's shape changed otherwise (another sound mixed in), otherwise KEEP.
public struct LabelInference: Sendable {
    public var alignment = JumpAlignment()
    public var alignmentRange: Float = 50
    public var analysisRange: Float = 40
    /// A beat is CUT when fewer than this share of its frames is played.
    public var cutBelow: Double = 0.5
    /// A beat is LOOP when at least this share of its frames is played twice or more.
    public var loopFrom: Double = 0.5
    /// Low-pass score (dB, high bands minus low bands at the steepest split) below which a
    /// frame is filtered; a beat is EFFECT when most of its frames are.
    public var effectTilt: Float = -8.5
    /// Bands within this many dB of a frame's peak are compared for the low-pass score.
    public var lowPassRange: Float = 60
    /// Level change (dB) below which frames start a fade run.
    public var fadeGain: Float = -1.5
    /// Level change (dB) below which a fade run continues on either side of its core.
    public var fadeEdge: Float = -1.0
    /// Fewest quieter frames that make a fade run (shorter dips are joins and filter edges).
    public var minimumFadeFrames = 6
    /// Shape change (RMS dB) above which a beat is TRANSITION.
    public var transitionShape: Float = 2
    /// An edited frame is matched when its alignment cost (dB) is below this.
    public var matchedBelow: Float = 2.5
    /// Pairs with fewer matched frames than this are not explained by the label vocabulary.
    public var minimumMatched = 0.5
    /// Largest raw × edited frame count aligned (about 11 minutes of audio on each side).
    public var maximumAlignmentCells = 800_000_000
    /// Beats further apart than this (seconds; 79 BPM) are split: labels are per beat of the music.
    public var maximumBeatInterval = 0.76

    public init() {}

    /// Whether the edit is explained by the label vocabulary (enough of it matches the raw).
    public func explains(_ result: Result) -> Bool { result.alignment.matched >= minimumMatched }

    /// One line: how confident the alignment is.
    public func alignmentSummary(_ result: Result) -> String {
        let a = result.alignment
        let verdict = explains(result) ? "explained by cuts, loops, fades and filters"
            : "NOT explained by the label vocabulary (another take or a remix?)"
        return String(format: "alignment: %.1f%% of the edited frames match the raw (median cost %.1f dB, %d jumps): %@",
                      100 * a.matched, a.medianCost, a.jumps, verdict)
    }

    /// What the inference measured on one beat (for tuning and for reports).
    public struct BeatMeasure: Sendable, Codable {
        /// Shares of the beat's frames played at least once and at least twice.
        public var played: Double
        public var looped: Double
        /// Mean level change (dB) and its slope over the beat (dB per beat).
        public var gain: Float
        public var slope: Float
        /// Median low-pass score (dB) and the share of frames that score below `effectTilt`.
        public var lowPass: Float
        public var filtered: Double
        /// The share over the first 40% of the beat: a crossfade into a filtered section is
        /// filtered only late in its beat, a low-passed beat from its start.
        public var earlyFiltered: Double
        /// Shares of the measured frames inside a rising and a falling fade run.
        public var fadeIn: Double
        public var fadeOut: Double
        /// Median shape change (RMS dB).
        public var shape: Float

        static let none = BeatMeasure(played: 0, looped: 0, gain: 0, slope: 0, lowPass: 0, filtered: 0, earlyFiltered: 0, fadeIn: 0, fadeOut: 0, shape: 0)
    }

    public struct Result: Sendable {
        public var beatTimes: [Double]
        public var beatFrames: [Int]
        public var labels: [EditLabel]
        public var measures: [BeatMeasure]
        public var path: JumpAlignment.Path
        public var alignment: AlignmentQuality
    }

    /// How well the alignment explains the edit as cuts, loops, fades and filters of the raw.
    public struct AlignmentQuality: Sendable, Codable, Equatable {
        /// Share of the edited frames with sound whose match costs less than `matchedBelow`
        /// dB: near 1 for an edit of this raw, far lower for another take or a remix.
        public var matched: Double
        /// Median match cost (dB) of those frames.
        public var medianCost: Float
        /// Jumps in the path (cuts and loops, and the start and end trims).
        public var jumps: Int

        enum CodingKeys: String, CodingKey { case matched, jumps, medianCost = "median_cost_db" }
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
        let subFrame = SubFrameAlignment(rawDB: rawDB, frames: n, dims: raw.nMels)
        let (path, quality) = align(raw: raw, rawDB: rawDB, halfway: subFrame.halfway(), edited: edited, editDB: editDB)
        let passes = path.passes()
        // Compare each raw frame with the edit at the sub-hop position the edit plays it from.
        let heard = subFrame.interpolatedRaw(editDB: editDB, path: path, floor: max(raw.dbMin, edited.dbMin) + 1)
        let changes = frameChanges(raw: raw, rawDB: heard, edited: edited, editDB: editDB, firstEdited: path.firstEditedFrame())

        let beatFrames = beatGrid(raw)
        var labels: [EditLabel] = []
        var measures: [BeatMeasure] = []
        // Each beat is judged on the span the edit acts on (the first beat also covers the
        // start and the last one the end), as the true labels are given.
        for span in EditTimeline.beatSpans(positions: beatFrames, total: n) {
            guard !span.isEmpty else {
                labels.append(labels.last ?? .keep)
                measures.append(.none)
                continue
            }
            let measure = Self.measureBeat(span, passes: passes, changes: changes, effectTilt: effectTilt)
            measures.append(measure)
            labels.append(classify(measure))
        }
        let beatTimes = beatFrames.map { Double($0 * raw.hopLength) / Double(raw.sampleRate) }
        return Result(beatTimes: beatTimes, beatFrames: beatFrames, labels: labels, measures: measures, path: path, alignment: quality)
    }

    /// The path that plays the edited file from the raw one, on shaped dB, with the raw also
    /// offered at half-hop positions (`JumpAlignment.align(between:)`), and how well it
    /// explains the edit.
    func align(raw: AudioFeatures, rawDB: [Float], halfway: [Float], edited: AudioFeatures, editDB: [Float]) -> (JumpAlignment.Path, AlignmentQuality) {
        let dims = raw.nMels, n = raw.frames, m = edited.frames
        func shaped(_ db: [Float], _ frames: Int, _ floor: Float) -> [Float] {
            Self.shapeFeatures(db, frames: frames, dims: dims, range: alignmentRange, silentAt: floor)
        }
        let r = shaped(rawDB, n, raw.dbMin), e = shaped(editDB, m, edited.dbMin), h = shaped(halfway, n, raw.dbMin)
        let features = dims / Self.alignmentPool + 1
        let path = alignment.align(raw: r, n: n, edited: e, m: m, dims: features, between: h)
        let costs = alignment.frameCosts(raw: r, n: n, edited: e, m: m, dims: features, between: h, path: path)
        // Silent edited frames match anything a cut or fade leaves; judge the frames with sound.
        let sounding = (0..<m).filter { j in (0..<dims).contains { editDB[j * dims + $0] > edited.dbMin + 1 } }
        let matched = sounding.filter { costs[$0] < matchedBelow }.count
        let quality = AlignmentQuality(matched: sounding.isEmpty ? 1 : Double(matched) / Double(sounding.count),
                                       medianCost: Self.median(sounding.map { costs[$0] }) ?? 0,
                                       jumps: path.move.dropFirst().filter { $0 == .jump }.count)
        return (path, quality)
    }

    /// Per raw frame, against the edited frame that plays it first (after removing the
    /// files' normalisation offset): the level change, the low-pass score and the shape
    /// change. NaN where the frame is silent or never played.
    struct FrameChanges {
        var gain: [Float]
        /// The most negative (high bands − low bands) level change over the split points
        /// where the high bands also lost level outright (0 when there is no such split): a
        /// low-pass is steeply negative whatever its cutoff, a fade or a mixed-in sound is not.
        var lowPass: [Float]
        var shape: [Float]
        /// Frames inside a fade: a run of frames quieter than the raw, with the direction of
        /// its level slope (+1 rising: a fade-in, −1 falling), 0 elsewhere.
        var fade: [Int8]
    }

    func frameChanges(raw: AudioFeatures, rawDB: [Float], edited: AudioFeatures, editDB: [Float], firstEdited first: [Int?]) -> FrameChanges {
        let dims = raw.nMels, n = raw.frames
        var gain = [Float](repeating: .nan, count: n), lowPass = [Float](repeating: .nan, count: n)
        var shape = [Float](repeating: .nan, count: n)
        // Bands at either file's floor carry no level to compare: a deep fade or a filter
        // pushes bands there, and their difference is the floor, not the edit.
        let rawFloor = raw.dbMin + 1, editFloor = edited.dbMin + 1
        var offset: Float = 0
        for pass in 0..<2 {
            rawDB.withUnsafeBufferPointer { rb in
                editDB.withUnsafeBufferPointer { eb in
                    var d = [Float](repeating: 0, count: dims)
                    for i in 0..<n {
                        guard let j = first[i] else { continue }
                        let r = rb.baseAddress! + i * dims, e = eb.baseAddress! + j * dims
                        var peak = -Float.infinity
                        for b in 0..<dims { peak = max(peak, r[b]) }
                        if peak <= rawFloor { continue } // a silent raw frame says nothing
                        var sum: Float = 0, count: Float = 0
                        for b in 0..<dims where r[b] > peak - analysisRange && e[b] > editFloor { sum += e[b] - r[b]; count += 1 }
                        guard count > 0 else { gain[i] = -analysisRange; continue } // the edit is silent here
                        let g = sum / count - offset
                        gain[i] = g
                        if pass == 0 { continue }
                        var ss: Float = 0
                        for b in 0..<dims where r[b] > peak - analysisRange && e[b] > editFloor { let x = e[b] - r[b] - offset - g; ss += x * x }
                        shape[i] = (ss / count).squareRoot()
                        // The low-pass score over every band with content in the raw (a wider
                        // range than the level: a low-pass shows in the quiet high bands).
                        var m = 0
                        for b in 0..<dims where r[b] > max(rawFloor + 6, peak - lowPassRange) {
                            d[m] = max(e[b], edited.dbMin) - r[b] - offset
                            m += 1
                        }
                        lowPass[i] = Self.lowPassScore(d, count: m, minimumBands: 6, loss: effectTilt / 2)
                    }
                }
            }
            // The two files are normalised to their own loudest frame: remove that offset.
            if pass == 0 { offset = Self.mode(gain.filter { !$0.isNaN }) ?? 0 }
        }
        return FrameChanges(gain: gain, lowPass: lowPass, shape: shape, fade: fadeRuns(gain, filtered: lowPass.map { $0 < effectTilt }))
    }

    /// The most negative difference between the mean change above and below a split of the
    /// first `count` bands (each side at least `minimumBands`), among splits whose upper side
    /// lost at least `loss` dB (negative) outright; 0 when none does.
    static func lowPassScore(_ d: [Float], count m: Int, minimumBands: Int, loss: Float) -> Float {
        guard m >= 2 * minimumBands else { return 0 }
        var total: Float = 0
        for b in 0..<m { total += d[b] }
        var below: Float = 0, best: Float = 0
        for k in 1..<m {
            below += d[k - 1]
            guard k >= minimumBands && m - k >= minimumBands else { continue }
            let lo = below / Float(k), hi = (total - below) / Float(m - k)
            if hi < loss && hi - lo < best { best = hi - lo }
        }
        return best
    }

    /// Fade runs: stretches whose level (median over 5 frames) is below `fadeGain`, joined
    /// across gaps of a few frames and extended on each side while the level is still below
    /// `fadeEdge` (a fade's last stretch is only slightly quieter). Each run's direction is
    /// the sign of its level slope.
    func fadeRuns(_ gain: [Float], filtered: [Bool]) -> [Int8] {
        let n = gain.count
        var level = [Float](repeating: .nan, count: n)
        var window = [Float](repeating: 0, count: 5)
        for i in 0..<n where !gain[i].isNaN && !filtered[i] {
            var count = 0
            for k in max(0, i - 2)...min(n - 1, i + 2) where !gain[k].isNaN { window[count] = gain[k]; count += 1 }
            window[0..<count].sort()
            level[i] = count % 2 == 1 ? window[count / 2] : (window[count / 2 - 1] + window[count / 2]) / 2
        }
        // A run may cross silent raw frames (NaN level) but never a low-passed one: a filter
        // also lowers the level, and its edges are not a fade.
        func open(_ k: Int) -> Bool { !filtered[k] && (level[k].isNaN || level[k] < fadeEdge) }
        var out = [Int8](repeating: 0, count: n)
        var i = 0
        while i < n {
            guard !level[i].isNaN, level[i] < fadeGain else { i += 1; continue }
            // The core: quieter frames, with NaN (silent raw) frames and short gaps inside.
            var end = i + 1, lastQuiet = i, quiet = 1
            while end < n && end - lastQuiet <= 3 && !filtered[end] {
                if !level[end].isNaN && level[end] < fadeGain { lastQuiet = end; quiet += 1 }
                end += 1
            }
            // A join or a filter's edge smears a few frames (the STFT window is four hops);
            // a fade is longer than that.
            guard quiet >= minimumFadeFrames else { i = lastQuiet + 1; continue }
            var lo = i, hi = lastQuiet + 1
            while lo > 0 && open(lo - 1) { lo -= 1 }
            while hi < n && open(hi) { hi += 1 }
            var xs: [Float] = [], ys: [Float] = []
            for k in lo..<hi where !level[k].isNaN { xs.append(Float(k)); ys.append(level[k]) }
            let direction: Int8 = Self.slope(xs, ys) >= 0 ? 1 : -1
            for k in lo..<hi { out[k] = direction }
            i = hi
        }
        return out
    }

    /// What happened to one beat's frames: how much of it plays, how much twice, how much is
    /// low-passed or in a fade, and its level, level slope and shape change.
    static func measureBeat(_ span: Range<Int>, passes: [Int], changes: FrameChanges, effectTilt: Float) -> BeatMeasure {
        let played = Double(span.filter { passes[$0] >= 1 }.count) / Double(span.count)
        let looped = Double(span.filter { passes[$0] >= 2 }.count) / Double(span.count)
        // Leave out the frames next to the beat's edges: their windows straddle the joins.
        let trim = span.count >= 8 ? 2 : (span.count >= 4 ? 1 : 0)
        let inner = (span.lowerBound + trim)..<(span.upperBound - trim)
        var xs: [Float] = [], gs: [Float] = [], ls: [Float] = [], ss: [Float] = []
        var fadeIn = 0, fadeOut = 0, filtered = 0, early = 0, earlyFiltered = 0
        for i in inner where !changes.gain[i].isNaN && passes[i] >= 1 {
            let x = Float(i - span.lowerBound) / Float(span.count)
            xs.append(x)
            if x < 0.4 { early += 1; if changes.lowPass[i] < effectTilt { earlyFiltered += 1 } }
            gs.append(changes.gain[i])
            if !changes.shape[i].isNaN { ss.append(changes.shape[i]) }
            let l = changes.lowPass[i]
            if !l.isNaN { ls.append(l); if l < effectTilt { filtered += 1 } }
            if changes.fade[i] > 0 { fadeIn += 1 } else if changes.fade[i] < 0 { fadeOut += 1 }
        }
        let measured = max(1, gs.count)
        let g = gs.isEmpty ? 0 : gs.reduce(0, +) / Float(gs.count)
        return BeatMeasure(played: played, looped: looped, gain: g, slope: slope(xs, gs),
                           lowPass: median(ls) ?? 0, filtered: Double(filtered) / Double(measured),
                           earlyFiltered: Double(earlyFiltered) / Double(max(1, early)),
                           fadeIn: Double(fadeIn) / Double(measured), fadeOut: Double(fadeOut) / Double(measured),
                           shape: median(ss) ?? 0)
    }

    public func classify(_ m: BeatMeasure) -> EditLabel {
        if m.played < cutBelow { return .cut }
        if m.looped >= loopFrom { return .loop }
        if m.filtered >= 0.5 && (m.earlyFiltered >= 0.5 || m.filtered >= 0.75) { return .effect }
        if m.shape > transitionShape { return .transition }
        if m.fadeIn + m.fadeOut >= 0.5 { return m.fadeIn >= m.fadeOut ? .fadeIn : .fadeOut }
        return .keep
    }

    /// The beats labels are decided on: librosa's, continued over the trimmed lead-in and
    /// tail, and split where the tracker skipped beats or locked onto half the tempo. `edit`
    /// uses the same grid.
    public func beatGrid(_ f: AudioFeatures) -> [Int] {
        let longest = maximumBeatInterval * Double(f.sampleRate) / Double(f.hopLength)
        return Self.regularize(Self.extendBeats(f.beatFrames, frames: f.frames), longest: longest)
    }

    /// Splits each interval into as many beats as the track's beat period fits in it. The
    /// period is the median interval, halved while it is longer than `longest` frames (the
    /// tracker locked onto half the tempo: at 158 BPM it finds beats of 32 and 33 hops). The
    /// median decides for the whole track, so its beats are split all or none, never the 33-hop
    /// ones alone. An interval of about k periods (a skipped beat) becomes k equal beats.
    public static func regularize(_ frames: [Int], longest: Double) -> [Int] {
        guard frames.count >= 2, longest > 0, let median = medianInterval(frames), median > 0 else { return frames }
        var period = Double(median)
        while period > longest { period /= 2 }
        var out: [Int] = []
        for k in 0..<(frames.count - 1) {
            let a = frames[k], b = frames[k + 1]
            let parts = max(1, Int((Double(b - a) / period).rounded()))
            for p in 0..<parts { out.append(a + (b - a) * p / parts) }
        }
        out.append(frames.last!)
        return out
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
    /// adds `silenceCost` dB to the RMS cost of matching silence with sound. The flag is
    /// negative so that sound in the edit against raw silence counts as energy the raw does
    /// not have (full weight in `JumpAlignment`'s cost), while an edit that is silent where
    /// the raw has sound (a fade to nothing) counts as quieter.
    ///
    /// Neighbouring bands are averaged in groups of `pool` (alignment needs the outline of
    /// the spectrum, not every band, and the cost matrix shrinks by the same factor).
    static func shapeFeatures(_ db: [Float], frames: Int, dims: Int, range: Float, silentAt floor: Float,
                              silenceCost: Float = 60, pool: Int = alignmentPool) -> [Float] {
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
                    dst[bands] = silent ? -flag : 0
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
