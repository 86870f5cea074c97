import Foundation
@testable import SuperEditor
import TestSupport
import XCTest

/// `--max-audio-minutes` and `--max-beats`: a file over a limit is one line naming the file,
/// the figure, the limit and the flag, before its size is allocated; the flags move the limits.
final class InputLimitCommandTests: XCTestCase {
    func file(_ data: Data, _ name: String) throws -> URL {
        let url = CLI.temporaryDirectory().appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// 10 hours at 1 Hz is 36 KB on disk and would be 794 million samples at 22 050 Hz.
    func testATenHourWAVAtOneHertzFailsFastAndSmall() throws {
        let wav = try file(silentWAV(frames: 36_000, sampleRate: 1), "ten-hours.wav")
        let start = Date()
        let r = try CLI.run(["beats", wav.path])
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        assertOneLineError(r, mentioning: "\(wav.path): audio is 600.0 minutes long, over the limit of 180 minutes (--max-audio-minutes raises it)")

        let time = Process()
        time.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        time.arguments = ["-v", CLI.binary.path, "beats", wav.path]
        let err = Pipe()
        time.standardError = err
        time.standardOutput = Pipe()
        try time.run()
        let report = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        time.waitUntilExit()
        let line = report.split(separator: "\n").first { $0.contains("Maximum resident set size") }
        let kilobytes = line.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        XCTAssertNotNil(kilobytes, report)
        XCTAssertLessThan(kilobytes ?? .max, 200 << 10, "peak RSS in KiB")
    }

    func testMaxAudioMinutesMovesTheLimit() throws {
        let wav = try file(silentWAV(frames: 12_000, sampleRate: 100), "two-minutes.wav")
        assertOneLineError(try CLI.run(["beats", wav.path, "--max-audio-minutes", "1.5"]),
                           mentioning: "audio is 2.0 minutes long, over the limit of 1.5 minutes (--max-audio-minutes raises it)")
        let ok = try CLI.run(["beats", wav.path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let zero = try CLI.run(["beats", wav.path, "--max-audio-minutes", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--max-audio-minutes must be positive"), zero.stderr)
    }

    func testMaxBeatsMovesTheLimitOfLabelsAndBeatFiles() throws {
        let wav = try file(silentWAV(frames: 300, sampleRate: 100), "three-seconds.wav")
        let labels = try file(Data(#"[{"start":0,"end":1,"label":"KEEP"},{"start":1,"end":2,"label":"CUT"},{"start":2,"end":3,"label":"KEEP"}]"#.utf8),
                              "labels.json")
        let out = labels.deletingLastPathComponent().appendingPathComponent("out.wav")
        assertOneLineError(try CLI.run(["reconstruct", wav.path, "--labels", labels.path, "-o", out.path, "--max-beats", "2"]),
                           mentioning: "\(labels.path): 3 beats, over the limit of 2 beats (--max-beats raises it)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        let dir = CLI.temporaryDirectory()
        let pc = PredictorConfig(predictorDim: 16, nLayers: 1, nHeads: 2, architecture: .beat, attentionWindow: 8, globalTokens: 2)
        let policy = dir.appendingPathComponent("beat.safetensors")
        try Checkpoint.save(BeatPolicy(pc, seed: 3), kind: .policy, config: pc, to: policy)
        let mel = dir.appendingPathComponent("mel.npy"), beats = dir.appendingPathComponent("beats.npy")
        try NPY.write(NPYArray([Float](repeating: 0.5, count: 40 * 128), shape: [40, 128]), to: mel)
        try NPY.write(NPYArray([0.0, 0.1, 0.2]), to: beats)
        let predict = ["predict", "--policy", policy.path, "--mel", mel.path, "--beats", beats.path, "--out", dir.appendingPathComponent("p.npy").path]
        assertOneLineError(try CLI.run(predict + ["--max-beats", "2"]),
                           mentioning: "\(beats.path): 3 beats, over the limit of 2 beats (--max-beats raises it)")
        let ok = try CLI.run(predict + ["--max-beats", "3"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }
}
