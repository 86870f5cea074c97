import Foundation
@testable import SuperEditor
import Tensor
import XCTest

/// Files that ask for more than `InputLimits` allows (beats, archive members) are one-line
/// errors naming the file, the figure, the limit and the flag that raises it.
final class InputLimitTests: XCTestCase {
    override func tearDown() { InputLimits.current = InputLimits() }

    func assertError(_ expected: String, _ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { XCTAssertEqual("\($0)", expected, file: file, line: line) }
    }

    func testAMillionBeatLabelsFileIsRefused() throws {
        let url = temporaryDirectory().appendingPathComponent("million.json")
        let beats = (0..<1_000_000).map { "{\"start\":\($0),\"end\":\($0 + 1),\"label\":\"KEEP\"}" }
        try Data(("[" + beats.joined(separator: ",") + "]").utf8).write(to: url)
        assertError("\(url.path): 1000000 beats, over the limit of 100000 beats (--max-beats raises it)") {
            try EditExports.readJSON(url)
        }
    }

    func testCacheBeatArraysAreHeldToTheLimit() throws {
        let cache = try ToyCache.make(pairs: 1)
        let layout = CacheLayout(root: cache)
        let id = try layout.trainablePairs()[0]
        let beats = try NPY.read(layout.beats(id)).count
        InputLimits.current.maxBeats = beats - 1
        assertError("\(layout.beats(id).path): \(beats) beats, over the limit of \(beats - 1) beats (--max-beats raises it)") {
            try PairedMelDataset(cache: cache).pair(id)
        }
    }

    func testSynthTruthBeatsAreHeldToTheLimit() throws {
        let dir = temporaryDirectory()
        let pair = SynthPair.generate(seed: 5, index: 0, seconds: 4...4)
        try pair.write(to: dir)
        let url = dir.appendingPathComponent("truth/\(pair.id).json")
        let beats = pair.truth.beatTimes.count
        InputLimits.current.maxBeats = beats - 1
        assertError("\(url.path): \(beats) beats, over the limit of \(beats - 1) beats (--max-beats raises it)") {
            try SynthTruth.read(url)
        }
    }

    func features(beatTimes: [Double], sampleRate: Double = 22050) -> [String: NPYArray] {
        ["mel": NPYArray([Float](repeating: 0.5, count: 8 * 4), shape: [8, 4]), "beat_times": NPYArray(beatTimes),
         "db_min": .scalar(-80.0), "db_max": .scalar(0.0), "sample_rate": .scalar(sampleRate), "hop_length": .scalar(Int64(512))]
    }

    func testFeatureBeatTimesAreCheckedBeforeTheyBecomeFrames() throws {
        let url = temporaryDirectory().appendingPathComponent("f.npz")
        try NPZ.write(features(beatTimes: [0, 0.01, 0.02]), to: url)
        XCTAssertEqual(try CacheLayout.readFeatures(url).beatFrames, [0, 0, 1])
        InputLimits.current.maxBeats = 2
        assertError("\(url.path): 3 beats, over the limit of 2 beats (--max-beats raises it)") { try CacheLayout.readFeatures(url) }
        InputLimits.current = InputLimits()
        // These trapped when made Ints.
        for times in [[Double.nan], [1e300], [-1]] {
            try NPZ.write(features(beatTimes: times), to: url)
            assertError("\(url.path): beat at \(times[0]) s lies outside 0 s to the audio limit of 180 minutes (--max-audio-minutes raises it)") {
                try CacheLayout.readFeatures(url)
            }
        }
        try NPZ.write(features(beatTimes: [0], sampleRate: .infinity), to: url)
        assertError("\(url.path): invalid sample_rate inf or hop_length 512.0") { try CacheLayout.readFeatures(url) }
    }

    func testAnArchiveMemberOverTheLimitIsRefusedBeforeExtraction() throws {
        let url = temporaryDirectory().appendingPathComponent("big.npz")
        try NPZ.write(["big": NPYArray([Float](repeating: 0, count: 1000))], to: url, compressed: true)
        let size = Int64(NPY.encode(NPYArray([Float](repeating: 0, count: 1000))).count)
        InputLimits.current.maxArchiveMemberBytes = size - 1
        assertError("\(url.path): member 'big.npy' declares \(size) bytes uncompressed, over the limit of \(size - 1) bytes") {
            try NPZ.read(url)
        }
    }

    /// A zip whose member declares fewer bytes than it inflates to (a zip bomb's lie) is
    /// refused once extraction passes the declared size.
    func testAMemberThatInflatesPastItsDeclaredSizeIsCorrupt() throws {
        let url = temporaryDirectory().appendingPathComponent("lying.npz")
        try NPZ.write(["x": NPYArray([Float](repeating: 0, count: 100_000))], to: url, compressed: true)
        var bytes = [UInt8](try Data(contentsOf: url))
        // The uncompressed size of the local header (offset 22) and the central directory entry (offset 24).
        for (signature, field) in [([0x50, 0x4B, 0x03, 0x04] as [UInt8], 22), ([0x50, 0x4B, 0x01, 0x02], 24)] {
            let at = (0...(bytes.count - 4)).first { Array(bytes[$0 ..< $0 + 4]) == signature }!
            bytes.replaceSubrange(at + field ..< at + field + 4, with: [0x00, 0x04, 0x00, 0x00]) // 1024
        }
        try Data(bytes).write(to: url)
        assertError("\(url.path): corrupt member 'x.npy' (inflates past its declared 1024 bytes)") { try NPZ.read(url) }
    }
}
