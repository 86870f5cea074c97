import Foundation

/// What a stretch of the raw track's beat grid holds.
public enum TrackUnit: Sendable, Equatable {
    /// Stick clicks on each beat before the music starts.
    case countIn(beats: Int)
    /// One bar of the song: bar `bar` of section `section`.
    case bar(section: Int, bar: Int)
    /// Beats of silence in the middle of the music.
    case dropout(beats: Int)
    /// Beats of loud broadband noise.
    case noiseBurst(beats: Int)
    /// A bar of section `section` played out of key.
    case wrongNoteBar(section: Int)
    /// Silence after the music; the file ends inside it.
    case deadAir(beats: Int)

    public var beats: Int {
        switch self {
        case .countIn(let b), .dropout(let b), .noiseBurst(let b), .deadAir(let b): return b
        case .bar, .wrongNoteBar: return SyntheticMusic.beatsPerBar
        }
    }

    public var isDefect: Bool {
        if case .bar = self { return false }
        return true
    }
}

/// One section of the song: its role sets the arrangement, its progression the harmony.
public struct Section: Sendable, Equatable {
    public enum Role: String, Sendable { case verse, chorus, breakdown }
    public var role: Role
    /// Scale degrees (0-based) of the chord in each bar.
    public var chords: [Int]
    public var bars: Int { chords.count }
    /// Which drum pattern the section uses.
    public var groove: Int
}

/// The instruments' sound for one track (timbre variety between tracks).
public struct Timbre: Sendable, Equatable {
    public enum Wave: Int, Sendable, CaseIterable { case saw, square, organ, soft }
    public var chords: Wave
    public var melody: Wave
    public var bass: Wave
    public var melodyVibrato: Double
}

/// Everything that decides a raw track, drawn from a seed.
public struct TrackPlan: Sendable {
    public var sampleRate: Int
    public var bpm: Double
    /// Silence before the first beat, in seconds.
    public var preRoll: Double
    /// MIDI note of the key's root (bass register).
    public var root: Int
    public var minor: Bool
    public var sections: [Section]
    public var units: [TrackUnit]
    public var timbre: Timbre
    /// Melody scale steps per eighth note, per section and bar (drawn once so every render agrees).
    public var melodies: [[[Int]]]
    /// Total length of the file in seconds (ends inside the dead air).
    public var duration: Double

    public var secondsPerBeat: Double { 60 / bpm }
    public var beatCount: Int { units.reduce(0) { $0 + $1.beats } }
    /// Time of beat k of the generator's grid.
    public func beatTime(_ k: Int) -> Double { preRoll + Double(k) * secondsPerBeat }
    public func beatSample(_ k: Int) -> Int { Int((beatTime(k) * Double(sampleRate)).rounded()) }
    public var sampleCount: Int { Int((duration * Double(sampleRate)).rounded()) }
}

/// Beat-based music: drums, bass, chords and melody, rendered sample by sample.
public enum SyntheticMusic {
    public static let beatsPerBar = 4
    static let majorScale = [0, 2, 4, 5, 7, 9, 11]
    static let minorScale = [0, 2, 3, 5, 7, 8, 10]

    /// Draws a plan of about `seconds` seconds (at least three sections, one of them a breakdown).
    public static func plan(seconds: Double, sampleRate: Int, rng: inout SeededRandom) -> TrackPlan {
        let bpm = (rng.uniform(80, 160) * 2).rounded() / 2
        let spb = 60 / bpm
        let preRoll = rng.uniform(0.05, 0.3)
        let deadAirBeats = rng.int(2, 5)
        // Defects between the two bars of a section (never in the breakdown).
        let dropouts = rng.int(0, 2), noiseBursts = rng.int(0, 1), wrongBars = rng.chance(0.6) ? 1 : 0
        let defectBeats = dropouts + noiseBursts + 4 * wrongBars
        let musicBeats = seconds / spb - Double(beatsPerBar + deadAirBeats + defectBeats) - preRoll / spb
        let sectionCount = max(3, Int((musicBeats / Double(2 * beatsPerBar)).rounded()))
        let breakdownAt = sectionCount >= 4 ? 2 : 1
        let progressions = [[0, 5, 3, 4], [0, 3, 4, 0], [5, 3, 0, 4], [0, 4, 5, 3], [1, 4, 0, 0], [3, 4, 2, 5]]
        var sections: [Section] = []
        var roles: [Section.Role] = []
        for s in 0..<sectionCount {
            if s == breakdownAt { roles.append(.breakdown) } else { roles.append(roles.last == .verse ? .chorus : (s % 2 == 0 ? .verse : .chorus)) }
        }
        let verseProg = rng.pick(progressions), chorusProg = rng.pick(progressions), breakProg = rng.pick(progressions)
        for (s, role) in roles.enumerated() {
            let prog = role == .verse ? verseProg : role == .chorus ? chorusProg : breakProg
            let offset = (s / 2) % 2 * 2
            sections.append(Section(role: role, chords: [prog[offset], prog[offset + 1]], groove: rng.int(0, 2)))
        }
        // Slots between the bars of each non-breakdown section.
        var slots = sections.indices.filter { sections[$0].role != .breakdown }
        var defectsAt: [Int: TrackUnit] = [:]
        func place(_ unit: TrackUnit) {
            guard !slots.isEmpty else { return }
            let k = rng.int(0, slots.count - 1)
            defectsAt[slots.remove(at: k)] = unit
        }
        for _ in 0..<dropouts { place(.dropout(beats: 1)) }
        for _ in 0..<noiseBursts { place(.noiseBurst(beats: 1)) }
        for _ in 0..<wrongBars { place(.wrongNoteBar(section: 0)) }
        var units: [TrackUnit] = [.countIn(beats: beatsPerBar)]
        for (s, section) in sections.enumerated() {
            for b in 0..<section.bars {
                units.append(.bar(section: s, bar: b))
                if b == 0, var d = defectsAt[s] {
                    if case .wrongNoteBar = d { d = .wrongNoteBar(section: s) }
                    units.append(d)
                }
            }
        }
        units.append(.deadAir(beats: deadAirBeats))
        let timbre = Timbre(chords: rng.pick(Timbre.Wave.allCases), melody: rng.pick(Timbre.Wave.allCases),
                            bass: rng.pick([.saw, .square, .soft]), melodyVibrato: rng.uniform(0, 0.01))
        var melodies: [[[Int]]] = []
        for section in sections {
            var bars: [[Int]] = []
            for _ in 0..<section.bars {
                var steps: [Int] = []
                var step = rng.int(0, 4)
                for _ in 0..<(2 * beatsPerBar) {
                    step = min(9, max(-2, step + rng.int(-2, 2)))
                    steps.append(rng.chance(0.15) ? Int.min : step) // Int.min: a rest
                }
                bars.append(steps)
            }
            melodies.append(bars)
        }
        let beats = units.reduce(0) { $0 + $1.beats }
        // The file ends a little after the last grid beat starts, inside the dead air.
        let duration = preRoll + (Double(beats - 1) + rng.uniform(0.3, 0.9)) * spb
        return TrackPlan(sampleRate: sampleRate, bpm: bpm, preRoll: preRoll, root: rng.int(40, 51), minor: rng.chance(0.5),
                         sections: sections, units: units, timbre: timbre, melodies: melodies, duration: duration)
    }

    /// Frequency of a scale step above the root, `octave` octaves up; `detune` in semitones.
    static func frequency(plan: TrackPlan, step: Int, octave: Int, detune: Double = 0) -> Double {
        let scale = plan.minor ? minorScale : majorScale
        let o = Int((Double(step) / 7).rounded(.down))
        let degree = ((step % 7) + 7) % 7
        let midi = Double(plan.root + 12 * (octave + o) + scale[degree]) + detune
        return 440 * pow(2, (midi - 69) / 12)
    }

    /// Renders bar `bar` of section `s` starting at sample `start`. `outOfKey` shifts the
    /// harmony a semitone and bends the melody off the scale (the wrong-note defect).
    static func renderBar(_ out: UnsafeMutablePointer<Float>, count: Int, start: Int, plan: TrackPlan,
                          section s: Int, bar: Int, outOfKey: Bool, rng: inout SeededRandom) {
        let section = plan.sections[s]
        let sr = Double(plan.sampleRate)
        let beatLen = Int(plan.secondsPerBeat * sr)
        let barLen = beatLen * beatsPerBar
        let loud: Float = section.role == .chorus ? 1.0 : section.role == .verse ? 0.6 : 0.45
        let degree = section.chords[bar % section.chords.count]
        let detune = outOfKey ? 1.0 : 0.0
        // Chords: a triad held for the bar (re-struck on beats 1 and 3).
        for half in 0..<2 {
            let noteStart = start + half * 2 * beatLen
            for voice in 0..<3 {
                let f = frequency(plan: plan, step: degree + 2 * voice, octave: 1, detune: detune)
                Voice.note(out, count: count, start: noteStart, length: 2 * beatLen, frequency: f,
                           amplitude: 0.09 * loud, wave: plan.timbre.chords, attack: 0.01, release: 0.03, sampleRate: sr)
            }
        }
        // Bass: the chord root on every beat (off-beats too in the chorus).
        let bassNotes = section.role == .chorus ? 2 * beatsPerBar : beatsPerBar
        let bassLen = barLen / bassNotes
        for k in 0..<bassNotes {
            let f = frequency(plan: plan, step: degree, octave: 0, detune: detune)
            Voice.note(out, count: count, start: start + k * bassLen, length: bassLen, frequency: f,
                       amplitude: 0.22 * max(loud, 0.6), wave: plan.timbre.bass, attack: 0.005, release: 0.02, sampleRate: sr)
        }
        // Melody: eighth notes from the drawn line; an octave higher in the chorus.
        let steps = plan.melodies[s][bar]
        let eighth = beatLen / 2
        for (k, step) in steps.enumerated() where step != Int.min {
            var st = step
            var bend = 0.0
            if outOfKey { st += 3; bend = k % 2 == 0 ? 1 : 6 } // chromatic, off the scale
            let f = frequency(plan: plan, step: degree + st, octave: section.role == .chorus ? 3 : 2, detune: bend)
            Voice.note(out, count: count, start: start + k * eighth, length: eighth, frequency: f,
                       amplitude: 0.12 * loud, wave: plan.timbre.melody, attack: 0.005, release: 0.02, sampleRate: sr,
                       vibrato: plan.timbre.melodyVibrato)
        }
        guard section.role != .breakdown else { return }
        Drums.bar(out, count: count, start: start, beatLength: beatLen, groove: section.groove, level: loud,
                  sampleRate: sr, rng: &rng)
    }

    /// Renders the whole raw track (music and defects), peak-normalised to 0.9.
    public static func render(_ plan: TrackPlan, rng: inout SeededRandom) -> [Float] {
        var y = [Float](repeating: 0, count: plan.sampleCount)
        let n = y.count
        y.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            var beat = 0
            for unit in plan.units {
                let start = plan.beatSample(beat)
                switch unit {
                case .bar(let s, let b):
                    renderBar(p, count: n, start: start, plan: plan, section: s, bar: b, outOfKey: false, rng: &rng)
                case .wrongNoteBar(let s):
                    renderBar(p, count: n, start: start, plan: plan, section: s, bar: 1, outOfKey: true, rng: &rng)
                default:
                    Defects.render(unit, into: p, count: n, plan: plan, firstBeat: beat, rng: &rng)
                }
                beat += unit.beats
            }
            var peak: Float = 0
            for i in 0..<n { peak = max(peak, abs(p[i])) }
            if peak > 0 { let g = 0.9 / peak; for i in 0..<n { p[i] *= g } }
        }
        return y
    }
}

/// One note of a pitched instrument, added into the buffer.
enum Voice {
    static func note(_ out: UnsafeMutablePointer<Float>, count: Int, start: Int, length: Int, frequency: Double,
                     amplitude: Float, wave: Timbre.Wave, attack: Double, release: Double, sampleRate sr: Double,
                     vibrato: Double = 0) {
        let a = max(1, Int(attack * sr)), r = max(1, Int(release * sr))
        let end = min(start + length, count)
        guard start < end else { return }
        var phase = 0.0
        let inc = frequency / sr
        for i in start..<end {
            let k = i - start
            var env: Float = 1
            if k < a { env = Float(k) / Float(a) }
            let left = length - k
            if left < r { env *= Float(left) / Float(r) }
            env *= 1 - 0.4 * Float(k) / Float(length) // gentle decay through the note
            let ph = Float(phase - phase.rounded(.down))
            let v: Float
            switch wave {
            case .saw: v = 2 * ph - 1
            case .square: v = ph < 0.5 ? 0.7 : -0.7
            case .organ:
                let w = 2 * Float.pi * ph
                v = 0.6 * sinf(w) + 0.3 * sinf(2 * w) + 0.2 * sinf(3 * w) + 0.12 * sinf(4 * w) + 0.08 * sinf(6 * w)
            case .soft:
                let tri = 4 * abs(ph - 0.5) - 1
                v = 0.6 * tri + 0.4 * sinf(2 * Float.pi * ph) + 0.15 * sinf(10 * Float.pi * ph)
            }
            out[i] += amplitude * env * v
            phase += inc * (1 + vibrato * sin(2 * Double.pi * 5.5 * Double(k) / sr))
        }
    }
}
