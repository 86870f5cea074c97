import AudioDSP
import XCTest
@testable import SuperEditor

final class LabelInferenceTests: XCTestCase {
    func testFrameLabelsFollowTheBeatRule() {
        let frames = FrameLabels.expand(beatLabels: [.cut, .keep, .loop], beatFrames: [3, 5, 8], frames: 11)
        // Before the first beat: the first label; each beat up to the next; the last to the end.
        XCTAssertEqual(frames, [.cut, .cut, .cut, .cut, .cut, .keep, .keep, .keep, .loop, .loop, .loop])
    }

    func testBeatGridIsExtendedAndSplitAtHalfTempo() {
        XCTAssertEqual(LabelInference.extendBeats([10, 20, 30], frames: 52), [0, 10, 20, 30, 40])
        // A whole track at half the tempo is split, every beat of it: at 158 BPM the tracker's
        // half-tempo beats are 32 and 33 hops, around the limit of 0.76 s (32.7 hops).
        XCTAssertEqual(LabelInference.regularize([0, 40, 80], longest: 32), [0, 20, 40, 60, 80])
        XCTAssertEqual(LabelInference.regularize([0, 30, 60], longest: 32), [0, 30, 60])
        XCTAssertEqual(LabelInference.regularize([0, 33, 65, 98, 131], longest: 32.7),
                       [0, 16, 33, 49, 65, 81, 98, 114, 131])
        XCTAssertEqual(LabelInference.regularize([0, 32, 64, 97, 129, 161], longest: 32.7), [0, 32, 64, 97, 129, 161])
        // Skipped beats at 158 BPM (16-hop beats, some 32 or 28 hops) come back.
        XCTAssertEqual(LabelInference.regularize([0, 16, 48, 64, 80, 108, 124], longest: 32.7),
                       [0, 16, 32, 48, 64, 80, 94, 108, 124])
    }

    func testBeatMatchingIsOneToOneWithinTolerance() {
        let pairs = LabelEvaluation.match(truth: [1.0, 2.0, 3.0], detected: [1.05, 1.06, 2.2, 2.99], tolerance: 0.07)
        XCTAssertEqual(pairs.map { [$0.0, $0.1] }, [[0, 0], [2, 3]])
    }

    func testEvaluationCountsConfusionRecallAndPrecision() {
        var e = LabelEvaluation()
        e.add(truthTimes: [0.0, 1.0, 2.0], truthLabels: [.cut, .keep, .loop], detectedTimes: [0.01, 1.02, 2.03],
              detectedLabels: [.cut, .keep, .keep], predictedFrames: [EditLabel](repeating: .keep, count: 130),
              sampleRate: 22050, hop: 512)
        XCTAssertEqual(e.matchedBeats, 3)
        XCTAssertEqual(e.beatAccuracy, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(e.recall[.loop], 0)
        XCTAssertEqual(e.precision[.keep], 0.5)
        XCTAssertEqual(e.confusion[2][1], 1)
        // Frames: truth CUT for 0..<43, KEEP 43..<86, LOOP 86..<130; all predicted KEEP.
        XCTAssertEqual(e.frameAccuracy, 43.0 / 130.0, accuracy: 1e-12)
    }

    func testAlignedTargetTakesTheFirstPassAndSilencesCuts() {
        // Raw frames 0..<6; the edit plays 0,1 then jumps to 4,5 then loops back to 4.
        let path = JumpAlignment.Path(rawFrame: [0, 1, 4, 5, 4, 5], move: [.jump, .advance, .jump, .advance, .jump, .advance],
                                      rawCount: 6, cost: 0)
        XCTAssertEqual(path.passes(), [1, 1, 0, 0, 2, 2])
        let edited: [Float] = [10, 11, 14, 15, 24, 25] // one band per frame
        let labels: [EditLabel] = [.keep, .keep, .cut, .cut, .loop, .loop]
        let target = AlignedTarget.build(path: path, frameLabels: labels, editedMel: edited, editedFrames: 6, dims: 1)
        XCTAssertEqual(target, [10, 11, 0, 0, 14, 15])
    }

    func testJumpAlignmentFollowsACutAndALoop() {
        // Eight distinct one-hot frames; the edit plays 0 1 2 | 5 6 | 5 6 7.
        let dims = 8
        func frame(_ k: Int) -> [Float] { (0..<dims).map { $0 == k ? 0 : -40 } }
        let raw = (0..<8).flatMap(frame)
        let order = [0, 1, 2, 5, 6, 5, 6, 7]
        let edited = order.flatMap(frame)
        var aligner = JumpAlignment()
        aligner.jumpPenalty = 5 // one frame per step here, so a jump must be cheaper than a frame's mismatch
        let path = aligner.align(raw: raw, n: 8, edited: edited, m: order.count, dims: dims)
        XCTAssertEqual(path.rawFrame, order)
        XCTAssertEqual(path.passes(), [1, 1, 1, 0, 0, 2, 2, 1])
    }

    /// The whole inference on synthetic pairs (short, fixed seeds): per-beat labels against
    /// the generator's truth.
    func testInfersTheTrueLabelsOfSyntheticPairs() throws {
        var evaluation = LabelEvaluation()
        let extractor = FeatureExtractor()
        for i in 0..<2 {
            let pair = SynthPair.generate(seed: 123, index: i, seconds: 10...10)
            let raw = try extractor.extract(pair.raw), edited = try extractor.extract(pair.edited)
            let result = try LabelInference().infer(raw: raw, edited: edited)
            XCTAssertEqual(result.labels.count, result.beatTimes.count)
            let frames = FrameLabels.expand(beatLabels: result.labels, beatFrames: result.beatFrames, frames: raw.frames)
            evaluation.add(truthTimes: pair.truth.beatTimes, truthLabels: pair.truth.labels.map { EditLabel(rawValue: $0)! },
                           detectedTimes: result.beatTimes, detectedLabels: result.labels, predictedFrames: frames,
                           sampleRate: raw.sampleRate, hop: raw.hopLength)
        }
        XCTAssertGreaterThan(Double(evaluation.matchedBeats), 0.8 * Double(evaluation.trueBeats))
        XCTAssertGreaterThanOrEqual(evaluation.beatAccuracy, 0.9, evaluation.table())
        XCTAssertGreaterThanOrEqual(evaluation.recall[.cut] ?? 0, 0.9, evaluation.table())
        XCTAssertGreaterThanOrEqual(evaluation.recall[.loop] ?? 0, 0.9, evaluation.table())
    }
}
