import AudioDSP
import Foundation
import XCTest
@testable import SuperEditor

/// `edit` and `reconstruct INPUT.wav` end to end on a short synthetic track with small
/// untrained models, and their bad-input paths.
final class EditCommandTests: XCTestCase {
    static let setup: (dir: URL, input: URL, policy: URL, recon: URL) = {
        let dir = CLI.temporaryDirectory()
        let pair = SynthPair.generate(seed: 4242, index: 0, seconds: 8...8)
        try! pair.write(to: dir)
        let policy = dir.appendingPathComponent("policy.safetensors"), recon = dir.appendingPathComponent("recon.safetensors")
        let pc = PredictorConfig(predictorDim: 16, nLayers: 1, nHeads: 2)
        try! Checkpoint.save(EditPredictor(pc, seed: 1), kind: .policy, config: pc, to: policy)
        let rc = ReconstructionConfig(encoderDim: 16, nEncoderLayers: 1, nDecoderLayers: 1, nHeads: 2)
        try! Checkpoint.save(ReconstructionModel(rc, seed: 2), kind: .reconstruction, config: rc, to: recon)
        return (dir, dir.appendingPathComponent("raw/\(pair.id).wav"), policy, recon)
    }()

    func edit(_ extra: [String]) throws -> CLIResult {
        let s = Self.setup
        return try CLI.run(["edit", s.input.path, "--policy", s.policy.path, "--reconstruction", s.recon.path] + extra)
    }

    func testEditWritesAudioLabelsAndPictures() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.wav"), labels = dir.appendingPathComponent("labels.json")
        let r = try edit(["-o", out.path, "--labels-out", labels.path, "--audacity-labels", dir.appendingPathComponent("a.txt").path,
                          "--plot", dir.appendingPathComponent("p.png").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let audio = try AudioFile.load(out)
        let beats = try EditExports.readJSON(labels)
        XCTAssertFalse(beats.isEmpty)
        for b in beats { XCTAssertNotNil(b.probability); XCTAssertNotNil(EditLabel(name: b.label)) }
        // The output lasts what the labels say, within one hop.
        let sr = Double(audio.sampleRate)
        var expected = 0.0
        for b in beats where b.label != "CUT" { expected += (b.end - b.start) * (b.label == "LOOP" ? 2 : 1) }
        XCTAssertEqual(Double(audio.samples.count) / sr, expected, accuracy: 512 / sr + 1e-6)
        let track = try String(contentsOf: dir.appendingPathComponent("a.txt"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(track.count, beats.count)
        XCTAssertEqual(track[0].split(separator: "\t").count, 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("p.png").path))

        // Hand-written labels through `reconstruct`: every beat KEEP except one CUT and one LOOP.
        var hand = beats.map { EditExports.BeatLabel(start: $0.start, end: $0.end, label: "KEEP") }
        hand[2].label = "CUT"; hand[4].label = "LOOP"
        let handURL = dir.appendingPathComponent("hand.json")
        try EditExports.writeJSON(hand, to: handURL)
        let out2 = dir.appendingPathComponent("hand.wav")
        let r2 = try CLI.run(["reconstruct", Self.setup.input.path, "--labels", handURL.path, "-o", out2.path])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        let total = Double(try AudioFile.load(Self.setup.input).samples.count) / sr
        let want = total - (hand[2].end - hand[2].start) + (hand[4].end - hand[4].start)
        XCTAssertEqual(Double(try AudioFile.load(out2).samples.count) / sr, want, accuracy: 512 / sr + 1e-6)
    }

    /// `--otio` and `--edl`: the kept source ranges of the edit, which the labels also give.
    /// With SUPER_EDITOR_PYTHON (make test), the timeline loads in the opentimelineio package.
    func testEditExportsTheTimelineAsOTIOAndEDL() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.wav"), labels = dir.appendingPathComponent("labels.json")
        let otio = dir.appendingPathComponent("edit.otio"), edl = dir.appendingPathComponent("edit.edl")
        let r = try edit(["-o", out.path, "--labels-out", labels.path, "--otio", otio.path, "--edl", edl.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let beats = try EditExports.readJSON(labels)
        // The kept seconds, in play order, from the labels alone (a LOOP run plays twice).
        var order: [Int] = []
        var i = 0
        while i < beats.count {
            if beats[i].label == "CUT" { i += 1; continue }
            var j = i
            while j < beats.count && beats[j].label == "LOOP" { j += 1 }
            if j > i { order += Array(i..<j) + Array(i..<j); i = j } else { order.append(i); i += 1 }
        }
        var kept: [(Double, Double)] = []
        var previous = -2
        for b in order {
            if b == previous + 1, let last = kept.last, abs(last.1 - beats[b].start) < 1e-9 {
                kept[kept.count - 1].1 = beats[b].end
            } else {
                kept.append((beats[b].start, beats[b].end))
            }
            previous = b
        }
        let text = try String(contentsOf: edl, encoding: .utf8)
        let events = text.split(separator: "\n").filter { $0.first?.isNumber == true }
        XCTAssertGreaterThan(events.count, 0)
        let total = Double(try AudioFile.load(out).samples.count) / 22050
        let recordOut = events.last!.split(separator: " ")[7].split(separator: ":").map { Double($0)! }
        XCTAssertEqual(((recordOut[0] * 60 + recordOut[1]) * 60 + recordOut[2]) + recordOut[3] / 25, total, accuracy: 0.04 * Double(events.count))
        guard let python = ProcessInfo.processInfo.environment["SUPER_EDITOR_PYTHON"] else { return }
        let script = """
        import sys, opentimelineio as otio
        t = otio.adapters.read_from_file(sys.argv[1])
        clips = list(t.find_clips())
        print(len(clips))
        for c in clips:
            r = c.source_range
            print(r.start_time.to_seconds(), r.end_time_exclusive().to_seconds())
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, otio.path]
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe; p.standardError = err
        try p.run()
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if e.contains("No module named 'opentimelineio'") { throw XCTSkip("opentimelineio is not in \(python)") }
        XCTAssertEqual(p.terminationStatus, 0, e)
        XCTAssertEqual(Int(lines.first ?? ""), lines.count - 1)
        let clips = lines.dropFirst().map { $0.split(separator: " ").map { Double($0)! } }
        XCTAssertEqual(clips.count, events.count)
        let sum = clips.reduce(0.0) { $0 + $1[1] - $1[0] }
        XCTAssertEqual(sum, total, accuracy: 1e-6, "the clips add up to the rendered output")
        XCTAssertEqual(clips.count, kept.count)
        // The labels' last beat ends on a frame boundary, the source a little before it.
        for (c, k) in zip(clips, kept) {
            XCTAssertEqual(c[0], k.0, accuracy: 1e-6); XCTAssertEqual(c[1], k.1, accuracy: 512 / 22050)
        }
    }

    /// A beat policy runs through `edit` and `predict` like a frame policy: the labels it writes
    /// are one per beat of the grid, and `predict` on a features .npz repeats each beat's label
    /// over its frames.
    func testEditAndPredictTakeABeatPolicy() throws {
        let dir = CLI.temporaryDirectory()
        let pc = PredictorConfig(predictorDim: 16, nLayers: 1, nHeads: 2, architecture: .beat, attentionWindow: 8, globalTokens: 2)
        let beat = dir.appendingPathComponent("beat.safetensors")
        try Checkpoint.save(BeatPolicy(pc, seed: 3), kind: .policy, config: pc, to: beat)
        let labels = dir.appendingPathComponent("labels.json")
        let r = try CLI.run(["edit", Self.setup.input.path, "--policy", beat.path, "--reconstruction", Self.setup.recon.path,
                             "-o", dir.appendingPathComponent("out.wav").path, "--labels-out", labels.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let beats = try EditExports.readJSON(labels)
        let features = dir.appendingPathComponent("f.npz")
        XCTAssertEqual(try CLI.run(["features", Self.setup.input.path, "--out", features.path]).status, 0)
        let out = dir.appendingPathComponent("p.npy")
        let p = try CLI.run(["predict", "--policy", beat.path, "--mel", features.path, "--out", out.path])
        XCTAssertEqual(p.status, 0, p.stderr)
        let frameLabels = try NPY.read(out).int64s()
        let hop = 512.0 / 22050
        for b in beats {
            let f = Int((b.start / hop).rounded())
            XCTAssertEqual(EditLabel(rawValue: Int(frameLabels[f]))?.name, b.label, "beat at \(b.start) s")
        }
        // A .npy mel without --beats is refused in one line that names the checkpoint.
        let npy = dir.appendingPathComponent("m.npy")
        try NPY.write(NPYArray([Float](repeating: 0.5, count: 40 * 128), shape: [40, 128]), to: npy)
        let bad = try CLI.run(["predict", "--policy", beat.path, "--mel", npy.path, "--out", dir.appendingPathComponent("x.npy").path])
        assertOneLineError(bad, mentioning: beat.path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.npy").path))
    }

    func testMelRendererAndDurationControl() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("mel.wav")
        let r = try edit(["-o", out.path, "--render", "mel", "--iterations", "2", "--target-duration", "6", "--slack", "0.5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let a = try AudioFile.load(out)
        XCTAssertEqual(Double(a.samples.count) / Double(a.sampleRate), 6, accuracy: 0.5 + 512.0 / 22050)
    }

    func testBadInputs() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.wav")
        // An existing output is not replaced without --force.
        try Data("keep me".utf8).write(to: out)
        assertOneLineError(try edit(["-o", out.path]), mentioning: "--force")
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), "keep me")
        // A folder that does not exist.
        assertOneLineError(try edit(["-o", "/nonexistent/folder/out.wav"]), mentioning: "/nonexistent/folder")
        // A checkpoint of the wrong kind.
        let fresh = dir.appendingPathComponent("fresh.wav")
        assertOneLineError(try CLI.run(["edit", Self.setup.input.path, "-o", fresh.path, "--policy", Self.setup.recon.path,
                                        "--reconstruction", Self.setup.recon.path]), mentioning: "expected 'policy'")
        // A corrupt input.
        let junk = dir.appendingPathComponent("junk.wav")
        try Data(repeating: 7, count: 3000).write(to: junk)
        assertOneLineError(try CLI.run(["edit", junk.path, "-o", fresh.path, "--policy", Self.setup.policy.path,
                                        "--reconstruction", Self.setup.recon.path]), mentioning: junk.path)
        // A duration no choice of labels reaches.
        assertOneLineError(try edit(["-o", fresh.path, "--target-duration", "1000"]), mentioning: "cannot be reached")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.path), "nothing written by failed runs")
        // Labels that are not a labels file.
        let bad = dir.appendingPathComponent("bad.json")
        try Data("{\"start\": 1}".utf8).write(to: bad)
        assertOneLineError(try CLI.run(["reconstruct", Self.setup.input.path, "--labels", bad.path, "-o", fresh.path]), mentioning: bad.path)
    }
}
