import AudioDSP
import XCTest

/// Parity with librosa 0.11 on the committed fixtures: loading (decode, downmix, soxr),
/// the normalised mel and the dB values.
final class MelParityTests: XCTestCase {
    func testResampledStereoLoadMatchesLibrosa() throws {
        let sig = DSPFixtures.signals["stereo44k"]!
        let audio = try AudioFile.load(DSPFixtures.url(sig["file"] as! String))
        let expected = DSPFixtures.floats(sig["loaded"] as! String)
        XCTAssertEqual(audio.sampleRate, 22050)
        XCTAssertEqual(audio.samples.count, expected.count)
        let d = maxAbsDiff(audio.samples, expected)
        print("stereo44k load: max abs diff vs librosa.load = \(d)")
        XCTAssertLessThanOrEqual(d, 1e-6)
    }

    func testMelMatchesLibrosaOnEveryFixture() throws {
        let mel = MelSpectrogram()
        for name in DSPFixtures.signalNames {
            let sig = DSPFixtures.signals[name]!
            let audio = try AudioFile.load(DSPFixtures.url(sig["file"] as! String))
            XCTAssertEqual(audio.samples.count, sig["n_samples"] as! Int, name)
            let (f, db) = try mel.features(audio.samples, source: name)
            let frames = sig["frames"] as! Int
            XCTAssertEqual(f.frames, frames, name)
            XCTAssertEqual(f.nMels, 128)
            let expected = DSPFixtures.floats(sig["mel"] as! String)
            XCTAssertEqual(f.mel.count, expected.count, name)
            let dMel = maxAbsDiff(f.mel, expected)
            // dB: librosa's values come back from its normalised mel and db range.
            let lo = Float(sig["db_min"] as! Double), hi = Float(sig["db_max"] as! Double)
            let expDB = MelSpectrogram.denormalise(expected, dbMin: lo, dbMax: hi)
            var dDB: Float = 0
            for i in 0..<db.count where expDB[i] > lo + 1e-3 || db[i] > lo + 1e-3 {
                dDB = max(dDB, abs(db[i] - expDB[i]))
            }
            print("\(name): normalised mel max|Δ| = \(dMel), dB max|Δ| above floor = \(dDB), db_min \(f.dbMin) vs \(lo), db_max \(f.dbMax) vs \(hi)")
            XCTAssertLessThanOrEqual(dMel, 1e-3, name)
            XCTAssertLessThanOrEqual(dDB, 0.05, name)
            XCTAssertEqual(f.dbMin, lo, accuracy: 0.05, name)
            XCTAssertEqual(f.dbMax, hi, accuracy: 0.05, name)
        }
    }
}
