import AudioDSP
import Foundation
import Tensor
import TestSupport
import XCTest

/// An audio file longer than `InputLimits.maxAudioMinutes` is refused from its header, before
/// anything of its size is allocated: a 10-hour WAV at 1 Hz or 100 Hz is a few kilobytes or
/// megabytes on disk, but resampled to 22 050 Hz it would be 794 million samples.
final class AudioLengthLimitTests: XCTestCase {
    override func tearDown() { InputLimits.current = InputLimits() }

    func write(_ data: Data, _ name: String) throws -> URL {
        let url = makeTemporaryFolder(prefix: "audio-limit-").appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// Peak resident memory of this process, in MiB.
    func peakRSS() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    func testTenHourFilesAtLowRatesFailFastAndSmall() throws {
        for (rate, frames) in [(1, 36_000), (100, 3_600_000)] {
            let url = try write(silentWAV(frames: frames, sampleRate: rate), "ten-hours-at-\(rate)-hz.wav")
            let before = peakRSS(), start = Date()
            XCTAssertThrowsError(try AudioFile.load(url)) { error in
                XCTAssertEqual("\(error)", "\(url.path): audio is 600.0 minutes long, over the limit of 180 minutes (--max-audio-minutes raises it)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1, "\(rate) Hz")
            XCTAssertLessThan(peakRSS() - before, 100, "\(rate) Hz: the file's samples were allocated")
        }
    }

    /// A FLAC whose header gives no length (total samples 0) is read in blocks and refused
    /// once what it decodes passes the limit.
    func testAFileOfUnknownLengthStopsAtTheLimit() throws {
        var flac = [UInt8](try Data(contentsOf: DSPFixtures.dir.deletingLastPathComponent().appendingPathComponent("fuzz/audio/seed-s16.flac")))
        // STREAMINFO's 36-bit total-samples field: the low 4 bits of byte 21 and bytes 22-25.
        flac[21] &= 0xF0
        for i in 22...25 { flac[i] = 0 }
        let url = try write(Data(flac), "unknown-length.flac")
        XCTAssertEqual(try AudioFile.decode(url).interleaved.count, 300)
        InputLimits.current.maxAudioMinutes = 0.0001
        XCTAssertThrowsError(try AudioFile.decode(url)) {
            XCTAssertTrue("\($0)".hasSuffix("over the limit of 0.0001 minutes (--max-audio-minutes raises it)"), "\($0)")
        }
    }

    func testTheLimitCanBeRaisedAndLowered() throws {
        let url = try write(silentWAV(frames: 12_000, sampleRate: 100), "two-minutes.wav")
        XCTAssertEqual(try AudioFile.load(url, sampleRate: nil).samples.count, 12_000)
        InputLimits.current.maxAudioMinutes = 1.5
        XCTAssertThrowsError(try AudioFile.load(url, sampleRate: nil)) { error in
            XCTAssertEqual("\(error)", "\(url.path): audio is 2.0 minutes long, over the limit of 1.5 minutes (--max-audio-minutes raises it)")
        }
        InputLimits.current.maxAudioMinutes = 2
        XCTAssertEqual(try AudioFile.load(url, sampleRate: nil).samples.count, 12_000)
    }
}
