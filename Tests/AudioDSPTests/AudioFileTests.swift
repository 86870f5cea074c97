import AudioDSP
import XCTest

final class AudioFileTests: XCTestCase {
    func testWriteAndReloadPCM16AndFloat() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let y = (0..<5000).map { Float(sin(Double($0) * 0.01)) * 0.5 }
        for enc in AudioFile.Encoding.allCases {
            let u = dir.appendingPathComponent("x-\(enc).wav")
            try AudioFile.write(y, sampleRate: 22050, to: u, encoding: enc)
            let back = try AudioFile.load(u)
            XCTAssertEqual(back.sampleRate, 22050)
            XCTAssertEqual(back.samples.count, y.count)
            XCTAssertLessThanOrEqual(maxAbsDiff(back.samples, y), enc == .pcm16 ? 1.0 / 32768 : 0)
        }
        // Clipping instead of wrap-around in 16-bit.
        let u = dir.appendingPathComponent("clip.wav")
        try AudioFile.write([2, -2], sampleRate: 22050, to: u)
        let c = try AudioFile.load(u).samples
        XCTAssertGreaterThan(c[0], 0.99)
        XCTAssertLessThan(c[1], -0.99)
    }

    func testKeepNativeRateAndStereoDownmix() throws {
        let sig = DSPFixtures.signals["stereo44k"]!
        let a = try AudioFile.load(DSPFixtures.url(sig["file"] as! String), sampleRate: nil)
        XCTAssertEqual(a.sampleRate, 44100)
        XCTAssertEqual(a.samples.count, Int(1.5 * 44100))
    }

    /// The real recordings beside the repository, when present: they decode, and features
    /// and beats come out sane. Skipped when ../shared/audio is absent.
    func testSharedRecordingsIfPresent() throws {
        guard let folder = DSPFixtures.sharedAudio else { throw XCTSkip("../shared/audio not present; skipping real recordings") }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".ogg") }.sorted()
        guard let name = files.min(by: { (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($0).path)[.size] as? Int) ?? 0 < (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($1).path)[.size] as? Int) ?? 0 }) else {
            throw XCTSkip("no .ogg recordings in \(folder.path)")
        }
        let f = try FeatureExtractor().extract(folder.appendingPathComponent(name))
        XCTAssertEqual(f.nMels, 128)
        XCTAssertGreaterThan(f.frames, 10)
        XCTAssertTrue(f.mel.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
