import XCTest

/// Bad input to the training-data commands: one line on stderr naming the path, non-zero exit.
final class DataCommandTests: XCTestCase {
    func testPrepareMissingFolders() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let missing = tmp.appendingPathComponent("no-raw").path
        assertOneLineError(try CLI.run(["prepare", "--raw", missing, "--edited", tmp.path, "--out", tmp.appendingPathComponent("c").path]),
                           mentioning: missing)
        let raw = tmp.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        let missingEdited = tmp.appendingPathComponent("no-edited").path
        assertOneLineError(try CLI.run(["prepare", "--raw", raw.path, "--edited", missingEdited, "--out", tmp.appendingPathComponent("c").path]),
                           mentioning: missingEdited)
    }

    func testPrepareWithNoUsablePairReportsEachAndFails() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let raw = tmp.appendingPathComponent("raw"), edited = tmp.appendingPathComponent("edited")
        for d in [raw, edited] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try Data("garbage".utf8).write(to: raw.appendingPathComponent("a.wav"))
        try Data("garbage".utf8).write(to: edited.appendingPathComponent("a.wav"))
        try Data("garbage".utf8).write(to: raw.appendingPathComponent("b.wav"))
        let r = try CLI.run(["prepare", "--raw", raw.path, "--edited", edited.path, "--out", tmp.appendingPathComponent("c").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertLessThan(r.status, 128, r.stderr)
        XCTAssertTrue(r.stderr.contains("skipped a:") && r.stderr.contains("a.wav"), r.stderr)
        XCTAssertTrue(r.stderr.contains("skipped b:") && r.stderr.contains("no edited partner"), r.stderr)
        XCTAssertTrue(r.stderr.contains("error: ") && r.stderr.contains("no usable pairs"), r.stderr)
    }

    func testAlignMissingAndCorruptFiles() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let missing = tmp.appendingPathComponent("missing.wav").path
        assertOneLineError(try CLI.run(["align", missing, missing]), mentioning: missing)
        let bad = tmp.appendingPathComponent("bad.wav")
        try Data("garbage".utf8).write(to: bad)
        assertOneLineError(try CLI.run(["align", bad.path, bad.path, "--json"]), mentioning: bad.path)
    }

    func testEvaluateLabelsMissingFolders() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let truth = tmp.appendingPathComponent("truth").path
        assertOneLineError(try CLI.run(["evaluate", "labels", "--truth", truth, "--cache", tmp.path]), mentioning: truth)
        try FileManager.default.createDirectory(atPath: truth, withIntermediateDirectories: true)
        let cache = tmp.appendingPathComponent("cache").path
        assertOneLineError(try CLI.run(["evaluate", "labels", "--truth", truth, "--cache", cache, "--json"]), mentioning: cache)
        // A corrupt truth file is named.
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: truth).appendingPathComponent("x.json"))
        assertOneLineError(try CLI.run(["evaluate", "labels", "--truth", truth, "--cache", cache]), mentioning: "x.json")
    }

    func testSynthRejectsBadLengthsAndWritesDeterministically() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        assertOneLineError(try CLI.run(["synth", "--out", tmp.path, "--count", "1", "--seconds", "abc"]), mentioning: "--seconds")
        assertOneLineError(try CLI.run(["synth", "--out", tmp.path, "--count", "0"]), mentioning: "--count")
        let a = tmp.appendingPathComponent("a"), b = tmp.appendingPathComponent("b")
        for d in [a, b] {
            let r = try CLI.run(["synth", "--out", d.path, "--count", "2", "--seed", "5", "--seconds", "10"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        for f in ["raw/synth_00001.wav", "edited/synth_00001.wav", "truth/synth_00001.json"] {
            XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent(f)), try Data(contentsOf: b.appendingPathComponent(f)), f)
        }
    }

    func testSynthIntoAFileNamesIt() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: file)
        assertOneLineError(try CLI.run(["synth", "--out", file.path, "--count", "1", "--seconds", "10"]), mentioning: file.path)
        XCTAssertEqual(try Data(contentsOf: file), Data("x".utf8), "nothing overwritten")
    }

    func testHelpGroupsTheCommandsByWhatTheyAreFor() throws {
        let r = try CLI.run(["--help"])
        XCTAssertEqual(r.status, 0)
        for group in ["EDIT A RECORDING", "MAKE TRAINING DATA", "TRAIN AND EVALUATE", "LOOK AT AUDIO", "MEASURE SPEED"] {
            XCTAssertTrue(r.stdout.contains(group), group)
        }
        for command in ["edit", "reconstruct", "demo", "synth", "prepare", "align", "train", "evaluate", "predict",
                        "features", "beats", "invert", "bench"] {
            XCTAssertTrue(r.stdout.contains("\n  \(command) "), command)
        }
    }
}
