import Foundation
import XCTest

/// `super-editor studio` as a person uses it: started on a free port over a synthetic track with
/// the shipped models, then driven in headless Chromium by tools/studio_browser_test.py (play,
/// A/B, three beats to CUT, undo and redo, the exports checked with opentimelineio and an EDL
/// parser, a screenshot into docs/studio.png). It skips only when SUPER_EDITOR_PYTHON is unset;
/// `make test` sets SUPER_EDITOR_REQUIRE_BROWSER=1, under which a missing browser fails instead.
final class StudioCommandTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testBrowserAuditionsCorrectsAndExports() throws {
        let env = ProcessInfo.processInfo.environment
        let required = env["SUPER_EDITOR_REQUIRE_BROWSER"] == "1"
        guard let python = env["SUPER_EDITOR_PYTHON"] else {
            if required { XCTFail("SUPER_EDITOR_REQUIRE_BROWSER=1 but SUPER_EDITOR_PYTHON is unset") }
            throw XCTSkip("SUPER_EDITOR_PYTHON is unset (make test sets it)")
        }
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            if required { XCTFail("\(tool) missing (make browser installs chromium and chromium-driver)"); return }
            throw XCTSkip("\(tool) missing (make browser installs it)")
        }
        let dir = CLI.temporaryDirectory()
        let synth = try CLI.run(["synth", "--out", dir.path, "--count", "1", "--seconds", "10", "--seed", "1"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let input = dir.appendingPathComponent("raw/synth_00000.wav")

        let studio = Process()
        studio.executableURL = CLI.binary
        studio.arguments = ["studio", input.path, "--port", "0"]
        let out = Pipe(), err = Pipe()
        studio.standardOutput = out
        studio.standardError = err
        try studio.run()
        defer { if studio.isRunning { studio.terminate(); studio.waitUntilExit() } }
        let line = try XCTUnwrap(readLine(out.fileHandleForReading, timeout: 60), "studio printed no address")
        let url = try XCTUnwrap(line.range(of: #"http://127\.0\.0\.1:\d+/"#, options: .regularExpression).map { String(line[$0]) }, line)
        let folder = try XCTUnwrap(line.range(of: #"/[^ ;]*super-editor-studio-[^ ;]*"#, options: .regularExpression).map { String(line[$0]) }, line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder))

        let started = Date()
        let driver = try CLI.run(executable: URL(fileURLWithPath: python), [
            Self.repository.appendingPathComponent("tools/studio_browser_test.py").path, "--url", url,
            "--downloads", dir.appendingPathComponent("downloads").path,
            "--screenshot", Self.repository.appendingPathComponent("docs/studio.png").path])
        XCTAssertEqual(driver.status, 0, driver.stderr + driver.stdout)
        print("studio browser test (\(String(format: "%.1f", Date().timeIntervalSince(started))) s): \(driver.stdout)")

        // Ctrl-C (SIGINT) stops the studio, which removes its session folder.
        kill(studio.processIdentifier, SIGINT)
        studio.waitUntilExit()
        XCTAssertEqual(studio.terminationStatus, 0, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder), "session folder left behind")
    }

    /// A file that is not audio is refused before serving, with the one line `edit` prints for it.
    func testStudioRefusesANonAudioFileLikeEdit() throws {
        let dir = CLI.temporaryDirectory()
        let notes = dir.appendingPathComponent("notes.wav")
        try Data("not a recording\n".utf8).write(to: notes)
        let before = Self.sessionFolders()
        let studio = try CLI.run(["studio", notes.path, "--port", "0"])
        assertOneLineError(studio, mentioning: notes.path)
        let edit = try CLI.run(["edit", notes.path, "-o", dir.appendingPathComponent("out.wav").path])
        XCTAssertEqual(studio.stderr, edit.stderr)
        let missing = try CLI.run(["studio", dir.appendingPathComponent("none.wav").path, "--port", "0"])
        assertOneLineError(missing, mentioning: "none.wav")
        XCTAssertEqual(Self.sessionFolders().subtracting(before), [], "session folder left behind")
    }

    static func sessionFolders() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        return Set(names.filter { $0.hasPrefix("super-editor-studio-") })
    }

    /// The first line `handle` writes, within `timeout` seconds.
    func readLine(_ handle: FileHandle, timeout: Double) -> String? {
        var data = Data()
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            data.append(chunk)
            if let nl = data.firstIndex(of: UInt8(ascii: "\n")) { return String(decoding: data[..<nl], as: UTF8.self) }
        }
        return nil
    }
}
