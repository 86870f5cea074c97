import AudioDSP
import Tensor
import XCTest

/// Griffin-Lim and NNLS mel inversion against librosa's numbers on the fixtures.
final class InversionTests: XCTestCase {
    func testGriffinLimZeroPhaseConvergesLikeLibrosa() throws {
        let gl = GriffinLim()
        let refs = DSPFixtures.index["griffinlim"] as! [String: [String: Any]]
        for (name, ref) in refs.sorted(by: { $0.key < $1.key }) {
            let sig = DSPFixtures.signals[name]!
            var y = try AudioFile.load(DSPFixtures.url(sig["file"] as! String)).samples
            y = Array(y.prefix(Int((ref["seconds"] as! Double) * 22050)))
            let S = gl.stft.magnitude(y, power: 1)
            let frames = gl.stft.frameCount(y.count)
            let out = gl.reconstruct(magnitude: S, frames: frames, initialisation: .zeroPhase)
            XCTAssertEqual(out.count, ref["output_samples"] as! Int, name)
            let sc = gl.spectralConvergence(magnitude: S, frames: frames, audio: out)
            let expected = ref["spectral_convergence"] as! Double
            print("\(name): Griffin-Lim init=None spectral convergence \(sc) vs librosa \(expected)")
            XCTAssertLessThanOrEqual(abs(sc - expected), 0.10 * expected, name)
        }
    }

    func testGriffinLimRandomInitIsSeeded() throws {
        let gl = GriffinLim(iterations: 4)
        let y = (0..<8192).map { Float(sin(Double($0) * 0.05)) * 0.5 }
        let S = gl.stft.magnitude(y, power: 1)
        let frames = gl.stft.frameCount(y.count)
        let a = gl.reconstruct(magnitude: S, frames: frames, initialisation: .random(seed: 7))
        let b = gl.reconstruct(magnitude: S, frames: frames, initialisation: .random(seed: 7))
        let c = gl.reconstruct(magnitude: S, frames: frames, initialisation: .random(seed: 8))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testISTFTInvertsSTFT() {
        let stft = STFT()
        let y = (0..<10000).map { Float(sin(Double($0) * 0.01) + 0.3 * cos(Double($0) * 0.17)) * 0.4 }
        let X = stft.forward(y)
        let back = stft.inverse(X, frames: stft.frameCount(y.count), length: y.count)
        XCTAssertEqual(back.count, y.count)
        XCTAssertLessThan(maxAbsDiff(back, y), 1e-5)
    }

    func testISTFTInvertsALongSTFTBlockByBlock() {
        // 200,000 samples: the inverse adds its frames up in seven blocks of 64 hops.
        let stft = STFT()
        var rng = RandomGenerator(seed: 4)
        let y = (0..<200_000).map { i in Float(sin(Double(i) * 0.003)) * 0.3 + (rng.nextFloat() - 0.5) * 0.2 }
        let X = stft.forward(y)
        let back = stft.inverse(X, frames: stft.frameCount(y.count), length: y.count)
        XCTAssertEqual(back.count, y.count)
        XCTAssertLessThan(maxAbsDiff(back, y), 1e-5)
        let shorter = stft.inverse(X, frames: stft.frameCount(y.count), length: 100_001)
        XCTAssertEqual(Array(back.prefix(100_001)), shorter)
    }

    func testMelToSTFTReachesLibrosasResidual() throws {
        let ref = DSPFixtures.index["mel_to_stft"] as! [String: Any]
        let sig = DSPFixtures.signals[ref["signal"] as! String]!
        let y = try AudioFile.load(DSPFixtures.url(sig["file"] as! String)).samples
        let inv = MelInversion()
        let M = inv.mel.power(y)
        let frames = inv.mel.stft.frameCount(y.count)
        let X = inv.melToLinearPower(M, frames: frames)
        XCTAssertTrue(X.allSatisfy { $0 >= 0 })
        let back = inv.mel.applyFilterbank(X, frames: frames)
        var num = 0.0, den = 0.0
        for i in 0..<M.count { num += pow(Double(back[i] - M[i]), 2); den += pow(Double(M[i]), 2) }
        let rel = (num / den).squareRoot()
        let expected = ref["relative_mel_error"] as! Double
        print("mel_to_stft relative mel residual \(rel) vs librosa \(expected)")
        XCTAssertLessThanOrEqual(rel, max(2 * expected, 0.01))
    }

    func testNormalisedMelRoundTripGivesAudio() throws {
        let sig = DSPFixtures.signals["music"]!
        let y = Array(try AudioFile.load(DSPFixtures.url(sig["file"] as! String)).samples.prefix(22050))
        let mel = MelSpectrogram()
        let (f, _) = try mel.features(y)
        let inv = MelInversion(nnlsIterations: 50, griffinLimIterations: 8)
        let out = inv.audio(normalisedMel: f.mel, frames: f.frames, dbMin: f.dbMin, dbMax: f.dbMax,
                            initialisation: .zeroPhase)
        XCTAssertEqual(out.count, 512 * (f.frames - 1))
        XCTAssertTrue(out.allSatisfy { $0.isFinite })
        XCTAssertGreaterThan(out.map { abs($0) }.max()!, 0)
        // Silence: a constant mel inverts to silence, never to noise.
        let silent = inv.audio(normalisedMel: [Float](repeating: 0, count: 10 * 128), frames: 10, dbMin: 0, dbMax: 0)
        XCTAssertEqual(silent, [Float](repeating: 0, count: 512 * 9))
    }
}
