import Foundation
import XCTest
@testable import SuperEditor

/// `reconstruct` and `predict` on the reference fixtures, and their bad-input paths.
final class ModelCommandTests: XCTestCase {
    let fx = CLI.fixtures.appendingPathComponent("model/tiny-seed0")
    func path(_ name: String) -> String { fx.appendingPathComponent(name).path }

    func testReconstructMatchesReference() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.npy").path
        let r = try CLI.run(["reconstruct", "--checkpoint", path("reconstruction.safetensors"),
                             "--mel", path("mel.npy"), "--labels", path("labels.npy"), "--out", out, "--raw"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let got = try NPY.read(URL(fileURLWithPath: out))
        let want = try NPY.read(fx.appendingPathComponent("reconstruction_out.npy"))
        XCTAssertEqual(got.shape, want.shape)
        var num = 0.0, den = 0.0
        for (a, b) in zip(got.floats(), want.floats()) { num += Double((a - b) * (a - b)); den += Double(b * b) }
        XCTAssertLessThan((num / den).squareRoot(), 1e-4)
        // Without --raw the output is the inference one: this checkpoint has no training
        // length, so the whole sequence, clamped to [0, 1].
        let clampedOut = dir.appendingPathComponent("clamped.npy").path
        let c = try CLI.run(["reconstruct", "--checkpoint", path("reconstruction.safetensors"),
                             "--mel", path("mel.npy"), "--labels", path("labels.npy"), "--out", clampedOut])
        XCTAssertEqual(c.status, 0, c.stderr)
        let clamped = try NPY.read(URL(fileURLWithPath: clampedOut)).floats()
        XCTAssertTrue(want.floats().contains { $0 < 0 || $0 > 1 }, "the fixture exercises the clamp")
        for (a, b) in zip(clamped, got.floats()) { XCTAssertEqual(a, min(max(b, 0), 1)) }
    }

    func testReconstructUnbatched() throws {
        let dir = CLI.temporaryDirectory()
        // Take the first sequence of the batch as a (T, 128) mel with (T,) labels.
        let mel = try NPY.read(fx.appendingPathComponent("mel.npy"))
        let labels = try NPY.read(fx.appendingPathComponent("labels.npy"))
        let t = mel.shape[1]
        try NPY.write(NPYArray(Array(mel.floats()[0..<(t * 128)]), shape: [t, 128]), to: dir.appendingPathComponent("m.npy"))
        try NPY.write(NPYArray(Array(labels.int64s()[0..<t]), shape: [t]), to: dir.appendingPathComponent("l.npy"))
        let r = try CLI.run(["reconstruct", "--checkpoint", path("reconstruction.safetensors"),
                             "--mel", dir.appendingPathComponent("m.npy").path, "--labels", dir.appendingPathComponent("l.npy").path,
                             "-o", dir.appendingPathComponent("o.npy").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try NPY.read(dir.appendingPathComponent("o.npy")).shape, [t, 128])
    }

    func testPredictWritesArgmaxOfLogits() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("labels.npy").path, logits = dir.appendingPathComponent("logits.npy").path
        let r = try CLI.run(["predict", "--policy", path("policy.safetensors"), "--mel", path("mel.npy"),
                             "--out", out, "--logits-out", logits])
        XCTAssertEqual(r.status, 0, r.stderr)
        let labels = try NPY.read(URL(fileURLWithPath: out))
        XCTAssertEqual(labels.dtype, .int64)
        XCTAssertEqual(labels.shape, [2, 96])
        let ref = try NPY.read(fx.appendingPathComponent("policy_logits.npy")).floats()
        let expected = stride(from: 0, to: ref.count, by: 8).map { i -> Int64 in
            Int64((0..<8).max { ref[i + $0] < ref[i + $1] }!)
        }
        XCTAssertEqual(labels.int64s(), expected)
        XCTAssertEqual(try NPY.read(URL(fileURLWithPath: logits)).shape, [2, 96, 8])
    }

    func testMissingCheckpoint() throws {
        let r = try CLI.run(["reconstruct", "--checkpoint", "/nonexistent/model.safetensors",
                             "--mel", path("mel.npy"), "--labels", path("labels.npy"), "--out", "/tmp/x.npy"])
        assertOneLineError(r, mentioning: "/nonexistent/model.safetensors")
    }

    func testWrongKindOfCheckpoint() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("o.npy")
        let r = try CLI.run(["reconstruct", "--checkpoint", path("policy.safetensors"),
                             "--mel", path("mel.npy"), "--labels", path("labels.npy"), "--out", out.path])
        assertOneLineError(r, mentioning: "'policy'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no output on failure")
        let p = try CLI.run(["predict", "--policy", path("value.safetensors"), "--mel", path("mel.npy"), "--out", out.path])
        assertOneLineError(p, mentioning: "expected 'policy'")
    }

    func testTruncatedSafetensors() throws {
        let dir = CLI.temporaryDirectory()
        let data = try Data(contentsOf: fx.appendingPathComponent("reconstruction.safetensors"))
        let cut = dir.appendingPathComponent("cut.safetensors")
        try data.prefix(data.count / 2).write(to: cut)
        let r = try CLI.run(["reconstruct", "--checkpoint", cut.path, "--mel", path("mel.npy"),
                             "--labels", path("labels.npy"), "--out", dir.appendingPathComponent("o.npy").path])
        assertOneLineError(r, mentioning: "truncated")
        try Data([1, 2, 3]).write(to: cut)
        assertOneLineError(try CLI.run(["predict", "--policy", cut.path, "--mel", path("mel.npy"), "--out", "/tmp/x.npy"]),
                           mentioning: cut.path)
    }

    func testWrongShape() throws {
        let dir = CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("mel64.npy")
        try NPY.write(NPYArray([Float](repeating: 0.5, count: 10 * 64), shape: [10, 64]), to: bad)
        let r = try CLI.run(["predict", "--policy", path("policy.safetensors"), "--mel", bad.path,
                             "--out", dir.appendingPathComponent("o.npy").path])
        assertOneLineError(r, mentioning: "(T, 128)")
        let labels = dir.appendingPathComponent("labels.npy")
        try NPY.write(NPYArray([Int64](repeating: 1, count: 5), shape: [5]), to: labels)
        let r2 = try CLI.run(["reconstruct", "--checkpoint", path("reconstruction.safetensors"),
                              "--mel", path("mel.npy"), "--labels", labels.path, "--out", dir.appendingPathComponent("o.npy").path])
        assertOneLineError(r2, mentioning: labels.path)
    }

    func testUnsupportedDtype() throws {
        // float16, as np.save(np.zeros((4, 128), np.float16)) writes it.
        let dir = CLI.temporaryDirectory()
        var header = "{'descr': '<f2', 'fortran_order': False, 'shape': (4, 128), }"
        while (10 + header.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        data.append(Data(count: 4 * 128 * 2))
        let f16 = dir.appendingPathComponent("half.npy")
        try data.write(to: f16)
        let r = try CLI.run(["predict", "--policy", path("policy.safetensors"), "--mel", f16.path,
                             "--out", dir.appendingPathComponent("o.npy").path])
        assertOneLineError(r, mentioning: f16.path)
        XCTAssertTrue(r.stderr.contains("f2") || r.stderr.contains("float16"), r.stderr)
    }
}
