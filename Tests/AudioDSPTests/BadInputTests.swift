import AudioDSP
import XCTest
import Tensor

/// Every bad input gives a thrown `InputError` whose description is one line naming the file.
final class BadInputTests: XCTestCase {
    var dir: URL!
    override func setUp() { dir = tempDir() }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// A minimal IEEE-float mono WAV, written by hand so it can hold NaN.
    func floatWAV(_ samples: [Float], sampleRate: Int = 22050) -> Data {
        var d = Data()
        func u32(_ v: Int) { var x = UInt32(v).littleEndian; d.append(Data(bytes: &x, count: 4)) }
        func u16(_ v: Int) { var x = UInt16(v).littleEndian; d.append(Data(bytes: &x, count: 2)) }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + samples.count * 4)
        d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(3); u16(1); u32(sampleRate); u32(sampleRate * 4); u16(4); u16(32)
        d.append(contentsOf: Array("data".utf8)); u32(samples.count * 4)
        samples.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    func assertOneLineError(_ url: URL, contains fragment: String, _ body: () throws -> Void,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? InputError else { return XCTFail("not an InputError: \(error)", file: file, line: line) }
            let text = e.description
            XCTAssertFalse(text.contains("\n"), "multi-line: \(text)", file: file, line: line)
            XCTAssertTrue(text.contains(url.path), "does not name the file: \(text)", file: file, line: line)
            XCTAssertTrue(text.lowercased().contains(fragment), "'\(text)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testMissingFile() {
        let u = dir.appendingPathComponent("nope.wav")
        assertOneLineError(u, contains: "no such file") { _ = try AudioFile.load(u) }
    }

    func testDirectoryIsNotAudio() {
        assertOneLineError(dir, contains: "directory") { _ = try AudioFile.load(self.dir) }
    }

    func testEmptyFile() throws {
        let u = dir.appendingPathComponent("empty.wav")
        try Data().write(to: u)
        assertOneLineError(u, contains: "empty") { _ = try AudioFile.load(u) }
    }

    func testNonAudioFile() throws {
        let u = dir.appendingPathComponent("text.wav")
        try Data("this is not audio at all, just some text\n".utf8).write(to: u)
        assertOneLineError(u, contains: "not a readable audio file") { _ = try AudioFile.load(u) }
    }

    func testZeroLengthSignal() throws {
        let u = dir.appendingPathComponent("zero.wav")
        try AudioFile.write([], sampleRate: 22050, to: u)
        assertOneLineError(u, contains: "no audio samples") { _ = try AudioFile.load(u) }
    }

    func testNaNSamples() throws {
        let u = dir.appendingPathComponent("nan.wav")
        var y = [Float](repeating: 0.1, count: 4096)
        y[100] = .nan
        try floatWAV(y).write(to: u)
        assertOneLineError(u, contains: "nan") { _ = try AudioFile.load(u) }
        assertOneLineError(u, contains: "nan") { _ = try FeatureExtractor().extract(u) }
    }

    func testShorterThanOneFrame() throws {
        let u = dir.appendingPathComponent("short.wav")
        try AudioFile.write([Float](repeating: 0.2, count: 1000), sampleRate: 22050, to: u)
        XCTAssertNoThrow(try AudioFile.load(u)) // loading is fine; analysing is not
        assertOneLineError(u, contains: "too short") { _ = try FeatureExtractor().extract(u) }
        assertOneLineError(u, contains: "too short") { _ = try FeatureExtractor().beats(u) }
    }

    func testInMemorySignalsAreChecked() {
        let mel = MelSpectrogram()
        XCTAssertThrowsError(try mel.features([])) { XCTAssertTrue("\($0)".contains("zero-length")) }
        XCTAssertThrowsError(try mel.features([Float](repeating: .nan, count: 4096))) { XCTAssertTrue("\($0)".contains("NaN")) }
    }

    func testWriteIsAtomicAndRefusesNaN() throws {
        let u = dir.appendingPathComponent("out.wav")
        try AudioFile.write([0.1, 0.2], sampleRate: 22050, to: u)
        let before = try Data(contentsOf: u)
        XCTAssertThrowsError(try AudioFile.write([0.1, .nan], sampleRate: 22050, to: u))
        XCTAssertEqual(try Data(contentsOf: u), before, "a failed write must not touch the existing file")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
        let missingDir = dir.appendingPathComponent("no/such/dir/out.wav")
        XCTAssertThrowsError(try AudioFile.write([0.1], sampleRate: 22050, to: missingDir)) { e in
            XCTAssertTrue("\(e)".contains(missingDir.path))
        }
    }

    func testSilenceIsGuarded() throws {
        let (f, _) = try MelSpectrogram().features([Float](repeating: 0, count: 22050))
        XCTAssertEqual(f.dbMin, f.dbMax)
        XCTAssertTrue(f.mel.allSatisfy { $0 == 0 })
        let b = BeatTracker().track([Float](repeating: 0, count: 22050))
        XCTAssertEqual(b.frames, [])
    }
}
