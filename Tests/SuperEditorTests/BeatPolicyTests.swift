import Foundation
import XCTest
import NN
import Tensor
@testable import SuperEditor

final class BeatPolicyTests: XCTestCase {
    func beatConfig(window: Int = 512) -> PredictorConfig {
        PredictorConfig(predictorDim: 16, nLayers: 1, nHeads: 2, dropout: 0, architecture: .beat, attentionWindow: window, globalTokens: 3)
    }

    func randomMel(_ b: Int, _ t: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.uniform([b, t, 128], low: 0, high: 1, rng: &rng)
    }

    func testPoolingAndBroadcastAgreeWithALoop() {
        let mel = randomMel(2, 30, seed: 1)
        let lengths = [30, 17], grids = [[3, 9, 10, 22], [0, 5, 12]]
        let layout = BeatLayout(mel: mel, lengths: lengths, beatFrames: grids, frameRate: 43)
        XCTAssertEqual(layout.beats, 4)
        let pooled = layout.toBeats(mel)
        for i in 0..<2 {
            let spans = EditTimeline.beatSpans(positions: grids[i], total: lengths[i])
            XCTAssertEqual(layout.spans[i], spans)
            for (k, s) in spans.enumerated() {
                for j in [0, 77, 127] {
                    var sum: Float = 0
                    for f in s { sum += mel.data[(i * 30 + f) * 128 + j] }
                    XCTAssertEqual(pooled.data[(i * 4 + k) * 128 + j], sum / Float(s.count), accuracy: 1e-6)
                }
            }
            XCTAssertEqual(layout.padding[i * 4 + 3], spans.count < 4)
        }
        // Back to frames: every frame carries its beat's row.
        let back = layout.toFrames(pooled)
        XCTAssertEqual(back.shape, [2, 30, 128])
        for i in 0..<2 {
            for (k, s) in layout.spans[i].enumerated() {
                for f in s { XCTAssertEqual(back.data[(i * 30 + f) * 128 + 5], pooled.data[(i * 4 + k) * 128 + 5]) }
            }
        }
    }

    func testBeatFeaturesSeeTheWholeTrack() {
        // A track louder in its second half: loudness and position features say so.
        let t = 40
        let mel = Tensor.zeros([1, t, 128])
        for f in 20..<t { for j in 0..<128 { mel.data[f * 128 + j] = 0.8 } }
        let layout = BeatLayout(mel: mel, lengths: [t], beatFrames: [[0, 10, 20, 30]], frameRate: 10)
        let f = BeatFeatures.count, x = layout.features
        func v(_ beat: Int, _ j: Int) -> Float { x.data[beat * f + j] }
        XCTAssertEqual(v(0, 0), 0, accuracy: 1e-6)                  // starts at the track's start
        XCTAssertEqual(v(3, 1), 0, accuracy: 1e-6)                  // ends at its end
        XCTAssertEqual(v(1, 2), 0.25, accuracy: 1e-6)               // a quarter in
        XCTAssertEqual(v(0, 1), 3.0 / 60, accuracy: 1e-6)           // 3 s to the end, in minutes
        XCTAssertLessThan(v(0, 8), 0); XCTAssertGreaterThan(v(3, 8), 0) // quieter / louder than the track
        XCTAssertEqual(v(3, 9), 0, accuracy: 1e-6)                  // the loudest beat
        XCTAssertEqual(v(0, 10), 0); XCTAssertEqual(v(2, 10), 2.0 / 3, accuracy: 1e-6)
    }

    func testBeatFeaturesShowAWrongLevelSectionAndAClick() {
        let t = 120, per = 10
        let mel = Tensor.zeros([1, t, 128])
        for f in 0..<t { for j in 0..<128 { mel.data[f * 128 + j] = f / per == 5 ? 0.3 : 0.6 } }
        for j in 112..<128 { mel.data[(8 * per + 4) * 128 + j] = 0.95 } // one frame of a click in beat 8
        let layout = BeatLayout(mel: mel, lengths: [t], beatFrames: [Array(stride(from: 0, to: t, by: per))], frameRate: 10)
        let f = BeatFeatures.count, x = layout.features
        func v(_ beat: Int, _ j: Int) -> Float { x.data[beat * f + j] }
        XCTAssertLessThan(v(5, 13), -1, "a beat quieter than the beats around it")
        XCTAssertEqual(v(2, 13), (0.6 - 0.57) * 4, accuracy: 0.005, "its neighbours see it a little (and the click in beat 8)")
        XCTAssertGreaterThan(v(8, 14), 1, "a peak in the top bands")
        XCTAssertEqual(v(2, 14), 0, accuracy: 1e-6)
        XCTAssertEqual(layout.features(first: BeatFeatures.firstRelease).shape, [1, 12, BeatFeatures.firstRelease])
        // Without a transient series the click feature is 0; the level in dB sees beat 5 at
        // its full 0.3 × 80 = 24 dB below the others.
        XCTAssertEqual(v(8, 15), 0)
        XCTAssertEqual(v(5, 16), -2.4, accuracy: 0.01)
        XCTAssertEqual(v(4, 16), 0, accuracy: 1e-6, "the median of its neighbours ignores the quiet beat")
        var transient = [Float](repeating: 0.5, count: t)
        transient[8 * per + 4] = 2.9
        let withTransient = BeatLayout(mel: mel, lengths: [t], beatFrames: [Array(stride(from: 0, to: t, by: per))],
                                       transients: [transient], frameRate: 10).features
        XCTAssertEqual(withTransient.data[8 * f + 15], 2.4, accuracy: 1e-6, "the beat's sharpest step above the typical beat's")
        XCTAssertEqual(withTransient.data[2 * f + 15], 0, accuracy: 1e-6)
    }

    /// The strongest bar's beats are 0 wherever the bar lines fall; a beat no loud window
    /// holds is its window's level below the loudest, in tens of dB.
    func testBeatFeaturesShowTheStrongestBar() {
        let t = 140, per = 10
        let mel = Tensor.zeros([1, t, 128])
        for f in 0..<t { for j in 0..<128 { mel.data[f * 128 + j] = (5..<9).contains(f / per) ? 0.7 : 0.5 } }
        let x = BeatLayout(mel: mel, lengths: [t], beatFrames: [Array(stride(from: 0, to: t, by: per))], frameRate: 10).features
        let f = BeatFeatures.count, bar = 17
        for k in 5..<9 { XCTAssertEqual(x.data[k * f + bar], 0, accuracy: 1e-5) }
        XCTAssertEqual(x.data[0 * f + bar], -1.6, accuracy: 1e-4, "0.2 of the 80 dB range below")
        XCTAssertLessThan(x.data[4 * f + bar], 0); XCTAssertGreaterThan(x.data[4 * f + bar], -1.6)
    }

    /// Features 19–26: one each for the first four and the last four beats, so that "the last
    /// two beats" is as plain to the policy as "the first two".
    func testBeatFeaturesMarkTheBeatsAtEitherEnd() {
        let t = 70, per = 10
        let mel = Tensor.zeros([1, t, 128])
        let x = BeatLayout(mel: mel, lengths: [t], beatFrames: [Array(stride(from: 0, to: t, by: per))], frameRate: 10).features
        let f = BeatFeatures.count
        XCTAssertEqual(f, 34)
        for k in 0..<7 {
            let fromStart = (0..<4).map { x.data[k * f + 18 + $0] }, fromEnd = (0..<4).map { x.data[k * f + 22 + $0] }
            XCTAssertEqual(fromStart, (0..<4).map { $0 == k ? 1 : 0 }, "beat \(k) from the start")
            XCTAssertEqual(fromEnd, (0..<4).map { $0 == 6 - k ? 1 : 0 }, "beat \(k) from the end")
        }
    }

    /// Features 27–28: a section of three beats 6 dB too loud in a track whose four-beat bar
    /// repeats reads +0.6 (its twins elsewhere are 6 dB quieter); every other beat has exact
    /// twins at its own level and reads 0. A beat that is only its track's loudest, with no
    /// twin of its shape, reads its distance to the closest.
    func testBeatFeaturesCompareEachBeatWithItsTwinsElsewhere() {
        let per = 8, nb = 24, t = per * nb
        let mel = Tensor.zeros([1, t, 128])
        for f in 0..<t {
            let k = f / per, pattern = Float(k % 4 + 1)
            for j in 0..<128 {
                var v = 0.5 + 0.2 * sin(Float(j) * pattern * 0.1)
                if (9...11).contains(k) { v += 6 / 80 }
                if k == 22 { v += 0.1 * Float(j) / 128 }  // brighter, not just louder
                mel.data[f * 128 + j] = v
            }
        }
        let x = BeatLayout(mel: mel, lengths: [t], beatFrames: [Array(stride(from: 0, to: t, by: per))], frameRate: 10).features
        let f = BeatFeatures.count, gain = 26, distance = 27
        for k in 9...11 {
            XCTAssertEqual(x.data[k * f + gain], 0.6, accuracy: 1e-3, "beat \(k) is 6 dB over its twins")
            XCTAssertEqual(x.data[k * f + distance], 0, accuracy: 1e-3)
        }
        for k in [0, 4, 5, 8, 12, 13, 16, 20, 21] {
            XCTAssertEqual(x.data[k * f + gain], 0, accuracy: 1e-3, "beat \(k) has twins at its own level")
            XCTAssertEqual(x.data[k * f + distance], 0, accuracy: 1e-3)
        }
        XCTAssertGreaterThan(x.data[22 * f + distance], 0.1, "no twin has the brighter beat's shape")
        // A policy that reads 26 features does not pay for the comparison: they stay 0.
        let x26 = BeatLayout(mel: mel, lengths: [t], beatFrames: [Array(stride(from: 0, to: t, by: per))], frameRate: 10, featureCount: 26).features
        XCTAssertEqual(x26.data[10 * f + gain], 0)
        XCTAssertEqual(x26.data[10 * f + distance], 0)
        XCTAssertEqual(x26.data[10 * f + 16], x.data[10 * f + 16], "the features it reads are the same")
        // A track too short for twins five beats away: gain 0, distance at its cap.
        let short = BeatLayout(mel: Tensor.full([1, 40, 128], 0.5), lengths: [40], beatFrames: [[0, 10, 20, 30]], frameRate: 10).features
        XCTAssertEqual(short.data[0 * f + gain], 0)
        XCTAssertEqual(short.data[0 * f + distance], 2)
    }

    /// 16 beats of 8 frames of one spectrum (the music ±0.4 dB from beat to beat), beats 5–7
    /// 6 dB up, beat 12 brighter and darker with the same median.
    static func sectionSixDBUp() -> (mel: Tensor, grid: [[Int]], frames: Int, beats: Int) {
        let per = 8, nb = 16, t = per * nb
        let mel = Tensor.zeros([1, t, 128])
        for f in 0..<t {
            let k = f / per
            for j in 0..<128 {
                var v = 0.5 + 0.2 * sin(Float(j) * 0.2) + 0.01 * Float(k % 2)
                if (5...7).contains(k) { v += 6 / 80 }
                if k == 12 { v += 0.15 * (Float(j) / 64 - 1) }
                mel.data[f * 128 + j] = v
            }
        }
        return (mel, [Array(stride(from: 0, to: t, by: per))], t, nb)
    }

    /// A section 6 dB up: a uniform step at its first line and back at its last; a beat that
    /// gets brighter steps unevenly across the bands; a policy reading 28 does not pay for them.
    func testBeatFeaturesShowAUniformLevelStep() {
        let (mel, grid, t, nb) = Self.sectionSixDBUp()
        let x = BeatLayout(mel: mel, lengths: [t], beatFrames: grid, frameRate: 10).features
        let f = BeatFeatures.count, s = BeatFeatures.stepStart
        func v(_ k: Int, _ j: Int) -> Float { x.data[k * f + s + j] }
        XCTAssertEqual(v(5, 0), 0.68, accuracy: 0.01, "6 dB up into the section (and the music 0.8 dB)")
        XCTAssertEqual(v(5, 1), 1, accuracy: 1e-3, "every band moved alike")
        XCTAssertEqual(v(4, 2), v(5, 0), "the line's step, seen from the beat before")
        XCTAssertEqual(v(7, 2), -0.68, accuracy: 0.01, "6 dB down out of it")
        XCTAssertEqual(v(7, 3), 1, accuracy: 1e-3)
        XCTAssertEqual(v(0, 0), 0); XCTAssertEqual(v(nb - 1, 2), 0, "nothing before the first or after the last")
        XCTAssertLessThan(v(12, 1), 0.2, "a change of shape is not a uniform step")
        XCTAssertLessThan(abs(v(2, 0)), 0.15, "music at one level")
        let x28 = BeatLayout(mel: mel, lengths: [t], beatFrames: grid, frameRate: 10, featureCount: 28).features
        for j in 0..<4 { XCTAssertEqual(x28.data[5 * f + s + j], 0) }
        XCTAssertEqual(x28.data[5 * f + 16], x.data[5 * f + 16], "the features it reads are the same")
        // Silence has no bands above the floor to compare.
        let quiet = BeatLayout(mel: Tensor.zeros([1, 40, 128]), lengths: [40], beatFrames: [[0, 10, 20, 30]], frameRate: 10).features
        XCTAssertEqual(quiet.data[2 * f + s], 0); XCTAssertEqual(quiet.data[2 * f + s + 1], 0)
    }

    /// The same section 6 dB up, seen from inside: every beat of it gets the section's level
    /// against the beats either side and a full score, where the steps (29–32) mark only its
    /// lines; music at one level, a change of shape and the ends score little or nothing.
    func testBeatFeaturesShowASectionAtOneGain() {
        let (mel, grid, t, nb) = Self.sectionSixDBUp()
        let x = BeatLayout(mel: mel, lengths: [t], beatFrames: grid, frameRate: 10).features
        let f = BeatFeatures.count, s = BeatFeatures.sectionStart
        func v(_ k: Int, _ j: Int) -> Float { x.data[k * f + s + j] }
        for k in 5...7 {
            XCTAssertEqual(v(k, 0), 0.65, accuracy: 0.01, "beat \(k): 6 dB over both sides (and the music's 0.5 dB)")
            XCTAssertEqual(v(k, 1), 1, accuracy: 1e-3, "beat \(k): every band alike")
        }
        XCTAssertLessThan(x.data[6 * f + BeatFeatures.stepStart + 1], 0.2, "the middle beat has only the music's 0.8 dB step of its own")
        XCTAssertLessThan(abs(v(2, 0)), 0.1); XCTAssertLessThan(v(2, 1), 0.2, "music at one level")
        XCTAssertLessThan(v(12, 1), 0.2, "a change of shape is not a gain")
        XCTAssertEqual(v(0, 1), 0); XCTAssertEqual(v(nb - 1, 1), 0, "no beat before the first or after the last")
        let x32 = BeatLayout(mel: mel, lengths: [t], beatFrames: grid, frameRate: 10, featureCount: 32).features
        XCTAssertEqual(x32.data[6 * f + s], 0); XCTAssertEqual(x32.data[6 * f + s + 1], 0)
        XCTAssertEqual(x32.data[6 * f + BeatFeatures.stepStart], x.data[6 * f + BeatFeatures.stepStart], "the features it reads are the same")
    }

    /// A beat policy saved before `beat_features` existed reads the first 13 features.
    func testAConfigWithoutBeatFeaturesIsTheFirstRelease() throws {
        let json = #"{"architecture":"beat","attention_window":512,"global_tokens":8,"n_mels":128,"predictor_dim":16,"n_layers":1,"n_heads":2,"dropout":0}"#
        let old = try JSONDecoder().decode(PredictorConfig.self, from: Data(json.utf8))
        XCTAssertEqual(old.beatFeatures, BeatFeatures.firstRelease)
        XCTAssertEqual(BeatPolicy(old).featureProjection.weight.shape, [16, BeatFeatures.firstRelease])
        let new = PredictorConfig(predictorDim: 16, nLayers: 1, nHeads: 2, architecture: .beat)
        XCTAssertEqual(new.beatFeatures, BeatFeatures.defaultCount)
        let back = try JSONDecoder().decode(PredictorConfig.self, from: try JSONEncoder().encode(new))
        XCTAssertEqual(back, new)
        // A Phase 2 config chooses the count: the default run writes it; a run config from
        // before the field existed (resumed, or given with --config) reads 18.
        var phase2 = Phase2Config.cpuDefault
        XCTAssertEqual(phase2.model.beatFeatures, BeatFeatures.defaultCount)
        XCTAssertTrue(String(decoding: try JSONEncoder().encode(phase2), as: UTF8.self).contains("\"beat_features\":26"))
        XCTAssertEqual(try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"architecture":"beat"}"#.utf8)).model.beatFeatures,
                       BeatFeatures.beforeEdges)
        phase2.beatFeatures = BeatFeatures.beforeEdges
        let reread = try JSONDecoder().decode(Phase2Config.self, from: try JSONEncoder().encode(phase2))
        XCTAssertEqual(reread.model.beatFeatures, BeatFeatures.beforeEdges)
        XCTAssertEqual(BeatPolicy(reread.model).featureProjection.weight.shape[1], BeatFeatures.beforeEdges)
        XCTAssertThrowsError(try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"beat_features":35}"#.utf8)))
        // A CUT bias is written only when set (by `calibrate`), and read back.
        XCTAssertEqual(old.cutBias, 0)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(new), as: UTF8.self).contains("cut_bias"))
        var calibrated = new
        calibrated.cutBias = 3.25
        XCTAssertEqual(try JSONDecoder().decode(PredictorConfig.self, from: try JSONEncoder().encode(calibrated)).cutBias, 3.25)
        let bad = json.replacingOccurrences(of: "\"dropout\":0", with: "\"dropout\":0,\"beat_features\":99")
        XCTAssertThrowsError(try JSONDecoder().decode(PredictorConfig.self, from: Data(bad.utf8)))
    }

    func testDecisionWindowsDecideEveryBeatOnceAwayFromTheirEdges() {
        XCTAssertEqual(DecisionWindows(beats: 320, window: 320).windows.count, 1)
        XCTAssertEqual(DecisionWindows(beats: 5000, window: 0).windows.count, 1)
        for (nb, w) in [(321, 320), (1195, 320), (100, 8), (17, 16), (9, 8), (64, 9)] {
            let windows = DecisionWindows(beats: nb, window: w).windows
            var next = 0
            for win in windows {
                XCTAssertEqual(win.beats.count, w, "\(nb) beats in windows of \(w)")
                XCTAssertEqual(win.decides.lowerBound, next, "contiguous")
                XCTAssertTrue(win.beats.contains(win.decides.lowerBound) && win.beats.contains(win.decides.upperBound - 1))
                // A beat away from the track's ends is decided a quarter window from its window's edges.
                for k in win.decides where k >= w / 4 && k < nb - w / 4 {
                    XCTAssertGreaterThanOrEqual(min(k - win.beats.lowerBound, win.beats.upperBound - 1 - k), w / 4 - 1, "beat \(k)")
                }
                next = win.decides.upperBound
            }
            XCTAssertEqual(next, nb)
        }
    }

    /// A track longer than the decision window: each window's beats get the log-probabilities
    /// the policy gives that stretch as a track of its own; a shorter one is decided whole.
    func testALongTrackIsDecidedInWindowsEachSeenAsATrack() throws {
        var config = beatConfig()
        config.decisionWindow = 6
        let policy = BeatPolicy(config, seed: 9)
        policy.eval()
        let frames = 90, m = 128
        let mel = randomMel(1, frames, seed: 3).scalars
        let grid = Array(stride(from: 0, to: frames, by: 5))     // 18 beats
        var crestRNG = RandomGenerator(seed: 5)
        let crest = (0..<frames).map { _ in crestRNG.nextFloat() }
        let windowed = policy.trackLogProbabilities(mel: mel, frames: frames, beatFrames: grid, transient: crest, frameRate: 43, window: 0)
        let spans = EditTimeline.beatSpans(positions: grid, total: frames)
        let plan = DecisionWindows(beats: grid.count, window: 6).windows
        XCTAssertGreaterThan(plan.count, 2)
        for win in plan {
            let f0 = spans[win.beats.lowerBound].lowerBound, f1 = spans[win.beats.upperBound - 1].upperBound
            let alone = policy.trackLogProbabilities(mel: Array(mel[(f0 * m)..<(f1 * m)]), frames: f1 - f0,
                                                     beatFrames: spans[win.beats].map { $0.lowerBound - f0 },
                                                     transient: Array(crest[f0..<f1]), frameRate: 43, window: 0)
            for k in win.decides { for f in spans[k] { for a in 1..<8 {
                XCTAssertEqual(windowed[f * 8 + a], alone[(f - f0) * 8 + a], accuracy: 1e-5, "frame \(f)")
            } } }
        }
        // Decided whole, the same track gives other numbers (the windows are not a no-op).
        config.decisionWindow = 0
        let whole = BeatPolicy(config, seed: 9)
        whole.eval()
        let all = whole.trackLogProbabilities(mel: mel, frames: frames, beatFrames: grid, transient: crest, frameRate: 43, window: 0)
        XCTAssertGreaterThan(zip(all, windowed).map { abs($0 - $1) }.max()!, 1e-3)
        // The field: a config without it means the default, which is not written; another is.
        let json = #"{"architecture":"beat","n_mels":128,"predictor_dim":16,"n_layers":1,"n_heads":2,"dropout":0,"beat_features":26}"#
        XCTAssertEqual(try JSONDecoder().decode(PredictorConfig.self, from: Data(json.utf8)).decisionWindow, PredictorConfig.defaultDecisionWindow)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(beatConfig()), as: UTF8.self).contains("decision_window"))
        XCTAssertEqual(try JSONDecoder().decode(PredictorConfig.self, from: try JSONEncoder().encode(config)).decisionWindow, 0)
        XCTAssertEqual(try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"decision_window":64}"#.utf8)).model.decisionWindow, 64)
        XCTAssertThrowsError(try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"decision_window":-1}"#.utf8)))
    }

    /// A track's decisions do not depend on what it is batched with, nor (with windows) on
    /// the padding of the last window.
    func testLogitsDoNotDependOnPaddingOrBatching() {
        for window in [512, 3] {
            let policy = BeatPolicy(beatConfig(window: window), seed: 4)
            policy.eval()
            let mel = randomMel(2, 50, seed: 2)
            // Past its end a track is zeros, as in the dataset's batches.
            for f in 24..<50 { for j in 0..<128 { mel.data[(50 + f) * 128 + j] = 0 } }
            let grids = [[0, 6, 13, 20, 28, 35, 41], [2, 9, 15]]
            let both = noGrad { policy(mel, beats: BeatLayout(mel: mel, lengths: [50, 24], beatFrames: grids, frameRate: 43)) }
            let alone = mel.slice(axis: 0, 1..<2).slice(axis: 1, 0..<24)
            let single = noGrad { policy(alone, beats: BeatLayout(mel: alone, lengths: [24], beatFrames: [grids[1]], frameRate: 43)) }
            XCTAssertEqual(both.shape, [2, 7, 8])
            for k in 0..<3 { for a in 0..<7 {
                XCTAssertEqual(both.data[(7 + k) * 8 + a], single.data[k * 8 + a], accuracy: 1e-4, "window \(window)")
            } }
            XCTAssertEqual(both.data[7], -.infinity, "PAD is never chosen")
        }
    }

    func testCheckpointNamesItsArchitectureAndLoadsEither() throws {
        let dir = temporaryDirectory()
        let beat = BeatPolicy(beatConfig(), seed: 9)
        let url = dir.appendingPathComponent("beat.safetensors")
        try Checkpoint.save(beat, kind: .policy, config: beat.config, to: url)
        let loaded = try Checkpoint.loadPolicy(url)
        XCTAssertTrue(loaded is BeatPolicy)
        let mel = randomMel(1, 40, seed: 3)
        let a = beat.trackLogProbabilities(mel: mel.scalars, frames: 40, beatFrames: [0, 10, 25], transient: [], frameRate: 43, window: 40)
        let b = loaded.trackLogProbabilities(mel: mel.scalars, frames: 40, beatFrames: [0, 10, 25], transient: [], frameRate: 43, window: 40)
        XCTAssertEqual(a, b)
        // A frame policy's config keeps the reference's keywords only.
        let frame = EditPredictor(PredictorConfig(predictorDim: 16, nLayers: 1, nHeads: 2))
        let furl = dir.appendingPathComponent("frame.safetensors")
        try Checkpoint.save(frame, kind: .policy, config: frame.config, to: furl)
        XCTAssertFalse(try SafeTensors.read(furl).metadata["config"]!.contains("architecture"))
        XCTAssertTrue(try Checkpoint.loadPolicy(furl) is EditPredictor)
    }

    /// The per-beat terms add up to the guide's reward: exactly for the label, duration and
    /// smoothness terms with any labels, and for the reconstruction term whenever the two
    /// labellings play the same frames (the same labels, CUT and LOOP included, or any labels
    /// without CUT or LOOP).
    func testPerBeatTermsAddUpToTheGuidesReward() {
        var rng = RandomGenerator(seed: 11)
        let m = 8
        for trial in 0..<40 {
            let grid = [0, 4, 9, 13, 20, 26, 30]
            let t = 34
            let spans = EditTimeline.beatSpans(positions: grid, total: t)
            let noJumps = trial % 2 == 0
            func draw() -> [EditLabel] {
                spans.indices.map { _ in
                    let choices: [EditLabel] = noJumps ? [.keep, .fadeIn, .fadeOut, .effect, .transition] : EditLabel.actions
                    return choices[Int(rng.next() % UInt64(choices.count))]
                }
            }
            let truth = draw()
            let predicted = trial % 4 < 2 ? draw() : truth
            let out = (0..<(t * m)).map { _ in rng.nextFloat() }, target = (0..<(t * m)).map { _ in rng.nextFloat() }
            let terms = out.withUnsafeBufferPointer { o in target.withUnsafeBufferPointer { g in
                BeatReward.terms(output: o.baseAddress!, target: g.baseAddress!, mels: m, spans: spans, predicted: predicted, truth: truth)
            } }
            func frames(_ l: [EditLabel]) -> [Int] {
                var f = [Int](repeating: 0, count: t)
                for (s, x) in zip(spans, l) { for i in s { f[i] = x.rawValue } }
                return f
            }
            let pf = frames(predicted), tf = frames(truth)
            let edited = out.withUnsafeBufferPointer { EditTimeline.apply($0.baseAddress!, width: m, labels: pf) }
            let real = target.withUnsafeBufferPointer { EditTimeline.apply($0.baseAddress!, width: m, labels: tf) }
            let guide = edited.withUnsafeBufferPointer { e in real.withUnsafeBufferPointer { r in
                Reward.compute(predictedMel: e.baseAddress ?? UnsafePointer(bitPattern: 8)!, predictedFrames: edited.count / m,
                               targetMel: r.baseAddress ?? UnsafePointer(bitPattern: 8)!, targetFrames: real.count / m, mels: m,
                               predictedLabels: pf, targetLabels: tf)
            } }
            XCTAssertEqual(terms.label.reduce(0, +), Double(guide.label), accuracy: 1e-5)
            XCTAssertEqual(terms.duration, Double(guide.duration), accuracy: 1e-5)
            XCTAssertEqual(terms.smoothness, Double(guide.smoothness), accuracy: 1e-5)
            if noJumps || predicted == truth {
                XCTAssertEqual(terms.reconstruction.reduce(0, +), Double(guide.reconstruction), accuracy: 1e-4, "trial \(trial)")
                XCTAssertEqual(terms.total, Double(guide.total), accuracy: 1e-4)
            }
        }
    }

    func tinyPhase2() -> Phase2Config {
        var c = Phase2Config.cpuDefault
        c.predictorDim = 16; c.nLayers = 1; c.nHeads = 2; c.dropout = 0; c.globalTokens = 2
        c.batchSize = 8; c.minibatchSize = 4; c.updates = 8; c.validateEvery = 100
        c.warmStartSteps = 6; c.warmStartBatchSize = 4; c.seed = 5
        return c
    }

    func reconstruction() -> ReconstructionModel {
        ReconstructionModel(ReconstructionConfig(encoderDim: 16, nEncoderLayers: 1, nDecoderLayers: 1, nHeads: 2, dropout: 0), seed: 1)
    }

    /// From a fixed, short warm start, RL raises the expected reward on the training tracks
    /// (whose best labelling is the true one: it alone earns the whole label term) and moves
    /// the beat accuracy towards it, staying close to the warm start.
    func testRLFromAWarmStartRaisesTheReward() throws {
        let ds = try PairedMelDataset(cache: try ToyCache.make(pairs: 10, frames: 60))
        for baseline in [RLBaseline.exact, .rloo, .selfCritical] {
            var c = tinyPhase2()
            c.learningRate = 3e-3; c.targetKL = 1; c.rlBaseline = baseline
            let t = try BeatPolicyTrainer(config: c, dataset: ds, reconstruction: reconstruction(), out: temporaryDirectory())
            t.showProgress = false
            _ = try t.run()
            let name = baseline.rawValue
            XCTAssertNotNil(t.anchor, "RL is anchored to the warm start")
            let first = t.history.first!, last = t.history.last!
            XCTAssertGreaterThan(last.expectedReward, first.expectedReward + 0.05, "\(name): \(t.history.map(\.expectedReward))")
            XCTAssertGreaterThanOrEqual(last.beatAccuracy, first.beatAccuracy, name)
            XCTAssertGreaterThan(last.klToWarmStart, 0, name)
            for s in t.history { XCTAssertEqual(Set(s.rewardTerms.keys), ["reconstruction", "label", "duration", "smoothness"]) }
        }
    }

    /// The sampled baselines are unbiased: averaged over draws, each action's weight times its
    /// advantage is the exact estimator's, p(a) (R(a) − E R). Self-critical's sum is the same
    /// up to the constant E R − R(greedy) per unit of probability.
    func testSampledBaselinesAverageToTheExactOne() {
        let r: [Double] = [1.0, -0.5, 0.2, 2.0, 0.0, -1.0, 0.4]
        let p: [Float] = [0.3, 0.1, 0.05, 0.25, 0.1, 0.1, 0.1]
        let k = r.count
        var w = [Float](repeating: 0, count: k), a = [Float](repeating: 0, count: k)
        var rng = RandomGenerator(seed: 3)
        BeatAdvantage.estimate(.exact, rewards: r, oldProbabilities: p, samples: 4, rng: &rng, weights: &w, advantages: &a)
        let exact = (0..<k).map { Double(w[$0] * a[$0]) }
        let mean = zip(p, r).reduce(0) { $0 + Double($1.0) * $1.1 }
        for i in 0..<k { XCTAssertEqual(exact[i], Double(p[i]) * (r[i] - mean), accuracy: 1e-6) }
        let draws = 40_000
        for baseline in [RLBaseline.rloo, .selfCritical] {
            var sum = [Double](repeating: 0, count: k)
            for _ in 0..<draws {
                BeatAdvantage.estimate(baseline, rewards: r, oldProbabilities: p, samples: 4, rng: &rng, weights: &w, advantages: &a)
                XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-5)
                for i in 0..<k { sum[i] += Double(w[i] * a[i]) }
            }
            let shift = baseline == .rloo ? 0 : mean - r[0] // greedy is action 0
            for i in 0..<k { XCTAssertEqual(sum[i] / Double(draws), Double(p[i]) * (r[i] - mean + shift), accuracy: 0.01, "\(baseline) \(i)") }
        }
    }

    /// The default run writes its baseline (RLOO); a run config without `rl_baseline` (from
    /// before RLOO was the default, like the shipped recipe's) means the exact expectation; a
    /// chosen one round-trips; fewer than two samples is refused.
    func testTheRLBaselineIsWrittenAndAnAbsentOneMeansExact() throws {
        let plain = String(decoding: try JSONEncoder().encode(Phase2Config.cpuDefault), as: UTF8.self)
        XCTAssertTrue(plain.contains(#""rl_baseline":"rloo""#), plain)
        let old = try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"architecture":"beat"}"#.utf8))
        XCTAssertNil(old.rlBaseline)
        XCTAssertEqual(old.effectiveRLBaseline, .exact)
        var c = Phase2Config.cpuDefault
        c.rlBaseline = .selfCritical; c.rlSamples = 6
        let back = try JSONDecoder().decode(Phase2Config.self, from: try JSONEncoder().encode(c))
        XCTAssertEqual(back, c)
        XCTAssertTrue(String(decoding: try JSONEncoder().encode(c), as: UTF8.self).contains(#""rl_baseline":"self_critical""#))
        XCTAssertThrowsError(try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"rl_samples":1}"#.utf8)))
    }

    func testTheSameSeedGivesTheSameCheckpoint() throws {
        let cache = try ToyCache.make(pairs: 6, frames: 50)
        // The sampled baseline draws its labellings from the seed too.
        for baseline in [RLBaseline.exact, .rloo] {
            var c = tinyPhase2(); c.updates = 2; c.rlBaseline = baseline
            var files: [[String: Tensor]] = []
            for _ in 0..<2 {
                let t = try BeatPolicyTrainer(config: c, dataset: try PairedMelDataset(cache: cache), reconstruction: reconstruction(),
                                              out: temporaryDirectory())
                t.showProgress = false
                _ = try t.run()
                files.append(try SafeTensors.read(t.runFolder.last).tensors)
            }
            XCTAssertEqual(Set(files[0].keys), Set(files[1].keys))
            for (k, v) in files[0] { XCTAssertEqual(v.scalars, files[1][k]!.scalars, k) }
        }
    }

    func testRareLabelsWeighMoreInTheWarmStart() throws {
        let ds = try PairedMelDataset(cache: try ToyCache.make(pairs: 8))
        let w = try BeatPolicyTrainer.classWeights(ds, power: 0.5)
        var counts = [Int](repeating: 0, count: 8)
        for id in ds.trainIDs { for l in try ds.pair(id).beatLabels { counts[l] += 1 } }
        let common = counts.indices.max { counts[$0] < counts[$1] }!
        let rare = counts.indices.filter { counts[$0] > 0 }.min { counts[$0] < counts[$1] }!
        XCTAssertGreaterThan(w[rare], w[common])
        XCTAssertEqual(w[EditLabel.pad.rawValue], 0)
        XCTAssertEqual(try BeatPolicyTrainer.classWeights(ds, power: 0).filter { $0 > 0 }.allSatisfy { abs($0 - 1) < 1e-5 }, true)
    }
}
