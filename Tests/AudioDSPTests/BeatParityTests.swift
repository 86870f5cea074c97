import AudioDSP
import XCTest

/// Onset strength, tempo and beat frames against librosa 0.11 on the fixtures.
final class BeatParityTests: XCTestCase {
    func testOnsetTempoAndBeatsMatchLibrosa() throws {
        let tracker = BeatTracker()
        let mel = MelSpectrogram()
        for name in DSPFixtures.signalNames {
            let sig = DSPFixtures.signals[name]!
            let audio = try AudioFile.load(DSPFixtures.url(sig["file"] as! String))
            let power = mel.power(audio.samples)
            let frames = mel.stft.frameCount(audio.samples.count)
            let onset = OnsetStrength.envelope(melPower: power, frames: frames, nMels: 128, aggregate: .median)
            let expOnset = DSPFixtures.floats(sig["onset_median"] as! String)
            XCTAssertEqual(onset.count, expOnset.count, name)
            let dOnset = maxAbsDiff(onset, expOnset)
            let beats = tracker.track(audio.samples)
            let expTempo = sig["tempo"] as! Double
            let expFrames = sig["beat_frames"] as! [Int]
            print("\(name): onset max|Δ| = \(dOnset), tempo \(beats.tempo) vs \(expTempo), beats \(beats.frames) vs \(expFrames)")
            XCTAssertLessThanOrEqual(dOnset, 1e-3, name)
            XCTAssertEqual(beats.tempo, expTempo, accuracy: 1.0, name)
            XCTAssertEqual(beats.frames, expFrames, name)
            for (f, t) in zip(beats.frames, beats.times) {
                XCTAssertEqual(t, Double(f) * 512 / 22050, accuracy: 1e-12)
            }
        }
    }

    func testAllZeroEnvelopeGivesNoBeats() {
        let b = BeatTracker().track(onsetEnvelope: [Float](repeating: 0, count: 100))
        XCTAssertEqual(b.tempo, 0)
        XCTAssertEqual(b.frames, [])
    }
}
