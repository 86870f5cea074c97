import Foundation
import TestSupport
import XCTest

/// Runs the built `super-editor` and captures what it printed.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum CLI {
    static var binary: URL {
        // The test bundle sits beside the products in .build/<triple>/debug.
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("super-editor")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.appendingPathComponent("super-editor")
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    @discardableResult
    static func run(_ args: [String]) throws -> CLIResult { try run(executable: binary, args) }

    /// Runs any program to the end and captures what it printed.
    static func run(executable: URL, _ args: [String]) throws -> CLIResult {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryDirectory() -> URL {
        makeTemporaryFolder(prefix: "se-cli-")
    }
}

/// Asserts a clean failure: non-zero exit, one line on stderr naming `mentioning`.
func assertOneLineError(_ r: CLIResult, mentioning: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNotEqual(r.status, 0, "expected failure, got success: \(r.stdout)", file: file, line: line)
    let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    XCTAssertEqual(lines.count, 1, "expected one line on stderr, got: \(r.stderr)", file: file, line: line)
    XCTAssertTrue(r.stderr.contains(mentioning), "stderr should mention \(mentioning): \(r.stderr)", file: file, line: line)
    // A crash would show as a signal (status > 128) or a Swift fatal error.
    XCTAssertLessThan(r.status, 128, "crashed: \(r.stderr)", file: file, line: line)
}

