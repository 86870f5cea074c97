import XCTest
@testable import SuperEditor
import Tensor

final class WaveformEditorTests: XCTestCase {
    let sr = 1000
    /// A ramp signal: sample i holds i, so where every output sample came from is visible.
    func ramp(_ n: Int) -> [Float] { (0..<n).map(Float.init) }
    let beats: [Double] = [0, 1, 2, 3] // four beats of 1000 samples

    func editor() -> WaveformEditor {
        var e = WaveformEditor(sampleRate: sr)
        e.joinCrossfade = 0.002
        return e
    }

    func testKeepEverythingIsIdentity() {
        let x = ramp(4000)
        XCTAssertEqual(editor().apply(x, beatTimes: beats, labels: [.keep, .keep, .keep, .keep]), x)
    }

    func testCutDropsTheBeatAndCrossfadesTheJoin() {
        let x = ramp(4000)
        let y = editor().apply(x, beatTimes: beats, labels: [.keep, .cut, .keep, .keep])
        XCTAssertEqual(y.count, 3000)
        XCTAssertEqual(y[500], 500)
        XCTAssertEqual(y[1500], 2500) // beat 2 follows beat 0
        XCTAssertEqual(y[2999], 3999)
        // Inside the 2 ms join the output is a blend, outside it is untouched.
        XCTAssertEqual(y[998], 998)
        XCTAssertNotEqual(y[1000], 2000)
        XCTAssertEqual(y[1001], 2001)
    }

    func testLoopRunPlaysTwiceInARow() {
        let labels: [EditLabel] = [.keep, .loop, .loop, .keep]
        XCTAssertEqual(EditTimeline.playOrder(labels), [0, 1, 2, 1, 2, 3])
        let y = editor().apply(ramp(4000), beatTimes: beats, labels: labels)
        XCTAssertEqual(y.count, 6000)
        XCTAssertEqual(editor().outputLength(sampleCount: 4000, beatTimes: beats, labels: labels), 6000)
        XCTAssertEqual(y[1500], 1500)
        XCTAssertEqual(y[3500], 1500) // the second pass
        XCTAssertEqual(y[5500], 3500)
    }

    func testFirstBeatCoversTheStartAndLastRunsToTheEnd() {
        let spans = EditTimeline.beatSpans(positions: [100, 300, 600], total: 1000)
        XCTAssertEqual(spans, [0..<300, 300..<600, 600..<1000])
        let y = editor().apply(ramp(1000), beatTimes: [0.1, 0.3, 0.6], labels: [.cut, .keep, .cut])
        XCTAssertEqual(y.count, 300)
    }

    /// Training (FrameLabels), label inference and `edit` (BeatDecisions) share one span
    /// definition: one span per beat, the first from frame 0 even when the grid starts later.
    func testEditDecidesOnTheSpansTrainingLabels() {
        let beatFrames = [7, 30, 52, 75], frames = 90
        let logp = [Float](repeating: -2, count: frames * EditLabel.count)
        let decisions = logp.withUnsafeBufferPointer { BeatDecisions(logProbabilities: $0.baseAddress!, frames: frames, beatFrames: beatFrames) }
        XCTAssertEqual(decisions.spans, EditTimeline.beatSpans(positions: beatFrames, total: frames))
        XCTAssertEqual(decisions.spans, [0..<30, 30..<52, 52..<75, 75..<90])
        let beats: [EditLabel] = [.fadeIn, .keep, .cut, .fadeOut]
        XCTAssertEqual(decisions.frameLabels(beats), FrameLabels.expand(beatLabels: beats, beatFrames: beatFrames, frames: frames).map(\.rawValue))
        let none = logp.withUnsafeBufferPointer { BeatDecisions(logProbabilities: $0.baseAddress!, frames: frames, beatFrames: []) }
        XCTAssertEqual(none.spans, [0..<frames])
    }

    /// A CUT bias moves the choice by log-odds: P(CUT) 0.3 against KEEP 0.7 is cut once the
    /// bias passes log(0.7 / 0.3), per frame, whatever the beat's length.
    func testACutBiasCutsOnceItPassesTheLogOdds() {
        let beatFrames = [0, 10, 13, 30], frames = 40
        var logp = [Float](repeating: -20, count: frames * EditLabel.count)
        for f in 0..<frames {
            if f >= 30 {   // the last beat leans FADE_OUT, with CUT second
                logp[f * EditLabel.count + EditLabel.fadeOut.rawValue] = log(0.6)
                logp[f * EditLabel.count + EditLabel.cut.rawValue] = log(0.4)
                continue
            }
            let cut: Float = f < 13 ? 0.3 : 0.9     // the first two beats lean KEEP, the third CUT
            logp[f * EditLabel.count + EditLabel.cut.rawValue] = log(cut)
            logp[f * EditLabel.count + EditLabel.keep.rawValue] = log(1 - cut)
        }
        let d = logp.withUnsafeBufferPointer { BeatDecisions(logProbabilities: $0.baseAddress!, frames: frames, beatFrames: beatFrames) }
        let odds = log(0.7 / 0.3)
        XCTAssertEqual(d.greedy, [.keep, .keep, .cut, .fadeOut])
        XCTAssertEqual(d.best(cutBias: 0), d.greedy)
        XCTAssertEqual(d.best(cutBias: odds - 0.01), [.keep, .keep, .cut, .fadeOut])
        XCTAssertEqual(d.best(cutBias: odds + 0.01), [.cut, .cut, .cut, .fadeOut], "the bias weighs CUT against KEEP; a fade stays")
        XCTAssertEqual(d.best(cutBias: 10), [.cut, .cut, .cut, .fadeOut])
        XCTAssertEqual(d.best(cutBias: -log(0.9 / 0.1) - 0.01), [.keep, .keep, .keep, .fadeOut])
        // A requested length starts from the biased choice.
        XCTAssertEqual(d.labels(targetFrames: 40, slack: 0, protected: [], cutBias: -3), [.keep, .keep, .keep, .fadeOut])
    }

    func testArgmaxTakesTheFirstOfEqualMaxima() {
        XCTAssertEqual([0.5, 2, 2, 1].argmax, 1)
        XCTAssertNil([Double]().argmax)
        let logits = Tensor([0, 3, 3, 1, 9, 2], shape: [2, 3])
        XCTAssertEqual(logits.argmaxLastAxis(), [1, 1])
    }

    func testFadesRampTheLevelAndEffectRemovesHighFrequencies() {
        let n = 4000
        var tone = [Float](repeating: 0, count: n)
        for i in 0..<n { tone[i] = sinf(2 * .pi * 50 * Float(i) / Float(sr)) + sinf(2 * .pi * 400 * Float(i) / Float(sr)) }
        var e = editor()
        e.effect = LowPassSweep(low: 60, high: 100)
        let faded = e.apply(tone, beatTimes: beats, labels: [.fadeIn, .keep, .keep, .fadeOut])
        func rms(_ x: ArraySlice<Float>) -> Float { (x.reduce(0) { $0 + $1 * $1 } / Float(x.count)).squareRoot() }
        XCTAssertLessThan(rms(faded[0..<200]), 0.2 * rms(faded[1000..<2000]))
        XCTAssertGreaterThan(rms(faded[800..<1000]), 0.5 * rms(faded[1000..<2000]))
        XCTAssertLessThan(rms(faded[3800..<4000]), 0.2 * rms(faded[1000..<2000]))
        XCTAssertEqual(Array(faded[1000..<3000]), Array(tone[1000..<3000]))

        let filtered = e.apply(tone, beatTimes: beats, labels: [.keep, .effect, .effect, .keep])
        // The 400 Hz part is gone in the effect (one DFT bin over whole periods), the 50 Hz part stays.
        func magnitude(_ x: [Float], _ f: Float) -> Float {
            var re: Float = 0, im: Float = 0
            for i in 1500..<2500 { let w = 2 * Float.pi * f * Float(i) / Float(sr); re += x[i] * cosf(w); im += x[i] * sinf(w) }
            return (re * re + im * im).squareRoot()
        }
        XCTAssertLessThan(magnitude(filtered, 400), 0.05 * magnitude(tone, 400))
        XCTAssertGreaterThan(magnitude(filtered, 50), 0.5 * magnitude(tone, 50))
        XCTAssertEqual(Array(filtered[0..<1000]), Array(tone[0..<1000]))
    }

    func testTransitionCrossfadesIntoTheNextPlayedBeat() {
        let x = ramp(4000)
        let y = editor().apply(x, beatTimes: beats, labels: [.transition, .cut, .keep, .keep])
        XCTAssertEqual(y.count, 3000)
        XCTAssertEqual(y[0], 0)
        // Near the end of the transition beat the sound is mostly beat 2's start.
        let t: Float = 0.99 * .pi / 2
        XCTAssertEqual(y[990], cosf(t) * 990 + sinf(t) * 2990, accuracy: 1)
    }
}
