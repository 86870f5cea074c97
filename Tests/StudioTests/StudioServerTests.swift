import AudioDSP
import Foundation
import Studio
import SuperEditor
import Tensor
import TestSupport
import XCTest

/// The studio's API in this process on loopback: load from concurrent clients, refused paths and
/// malformed requests, corrections with undo and redo, editing again, and the exports.
final class StudioServerTests: XCTestCase {
    func folders(_ store: StudioStore) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.folder.path)) ?? []).sorted()
    }

    /// 200 requests from 4 clients at once (reads, corrections, undo, exports), every one answered
    /// 2xx, the session left consistent, and no session folder left behind when the server stops.
    func testLoadFromFourConcurrentClients() async throws {
        let h = try await StudioHarness.start()
        let s = try h.settled()
        let beats = (s["beats"] as! [[String: Any]]).count
        XCTAssertGreaterThanOrEqual(beats, 8)
        let failures = Lines()
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: 4) { client in
            for i in 0..<50 {
                let beat = (client * 2 + 1) % beats
                let (method, path, body): (String, String, String?) = {
                    switch i % 10 {
                    case 0: return ("GET", "/", nil)
                    case 1: return ("GET", "/api/sessions", nil)
                    case 2: return ("POST", "/api/sessions/s1/labels", #"{"label": "CUT", "beats": [\#(beat)]}"#)
                    case 3: return ("GET", "/api/sessions/s1", nil)
                    case 4: return ("POST", "/api/sessions/s1/labels", #"{"label": "KEEP", "beats": [\#(beat)]}"#)
                    case 5: return ("GET", "/api/sessions/s1/files/input.wav", nil)
                    case 6: return ("POST", "/api/sessions/s1/labels", #"{"label": "LOOP", "from": \#(beat), "to": \#(beat)}"#)
                    case 7: return ("GET", "/api/palette", nil)
                    case 8: return ("GET", i % 20 == 8 ? "/api/sessions/s1/export/labels" : "/api/sessions/s1/files/mel.png", nil)
                    default: return ("POST", "/api/sessions/s1/labels", #"{"label": "FADE_OUT", "beats": [\#(beat)]}"#)
                    }
                }()
                do {
                    let r = try h.request(method, path, body: body.map { Data($0.utf8) })
                    if !(200..<300).contains(r.status) { failures.add("\(method) \(path): \(r.status) \(r.text)") }
                } catch {
                    failures.add("\(method) \(path): \(error)")
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(failures.all, [])
        // Each client's beat has the label it set last, the others the policy's; the output is theirs.
        let after = try h.settled()
        var want = (s["beats"] as! [[String: Any]]).map { $0["label"] as! String }
        for client in 0..<4 { want[(client * 2 + 1) % beats] = "FADE_OUT" }
        XCTAssertEqual((after["beats"] as! [[String: Any]]).map { $0["label"] as! String }, want)
        XCTAssertEqual(folders(h.store), ["s1"])
        let outputs = try FileManager.default.contentsOfDirectory(atPath: h.store.folder.appendingPathComponent("s1").path)
            .filter { $0.hasPrefix("output-") }
        XCTAssertEqual(outputs.count, 1, "old outputs are removed: \(outputs)")
        print("studio load: 200 requests from 4 clients in \(String(format: "%.2f", seconds)) s")
        await h.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.store.folder.path), "session folder left behind")
    }

    /// Paths out of bounds (`..`, absolute, symbolic links), malformed bodies, unknown sessions,
    /// labels and beats: each a 4xx with a JSON error, and the server answers the next request.
    func testBadRequestsAreRefusedAndTheServerKeepsServing() async throws {
        let h = try await StudioHarness.start(seconds: 6)
        let s = try h.settled()
        let beats = (s["beats"] as! [[String: Any]]).count
        let outside = makeTemporaryFolder(prefix: "se-studio-outside-")
        let secret = outside.appendingPathComponent("secret.wav")
        try FileManager.default.copyItem(at: h.input, to: secret)
        // A link to the given file and a link in the session folder to a file outside it.
        let alias = outside.appendingPathComponent("alias.wav")
        try FileManager.default.createSymbolicLink(at: alias, withDestinationURL: h.input)
        try FileManager.default.createSymbolicLink(at: h.store.folder.appendingPathComponent("s1/planted.wav"), withDestinationURL: secret)
        let dotted = h.input.deletingLastPathComponent().appendingPathComponent("../raw/\(h.input.lastPathComponent)").path

        let cases: [(String, String, String?, Int)] = [
            ("GET", "/api/sessions/s1/files/../../../etc/passwd", nil, 404),
            ("GET", "/api/sessions/s1/files/..%2F..%2F..%2Fetc%2Fpasswd", nil, 403),
            ("GET", "/api/sessions/s1/files/%2Fetc%2Fpasswd", nil, 403),
            ("GET", "/api/sessions/s1/files/planted.wav", nil, 403),
            ("GET", "/api/sessions/s1/files/.hidden", nil, 403),
            ("GET", "/api/sessions/s1/files/nothing.wav", nil, 404),
            ("POST", "/api/open", #"{"path": "/etc/passwd"}"#, 403),
            ("POST", "/api/open", #"{"path": "\#(secret.path)"}"#, 403),
            ("POST", "/api/open", #"{"path": "\#(dotted)"}"#, 403),
            ("POST", "/api/open", #"{"path": "../../../../etc/passwd"}"#, 403),
            ("POST", "/api/open", #"{"path": "\#(alias.path)"}"#, 403),
            ("POST", "/api/open", #"{"file": 1}"#, 400),
            ("POST", "/api/sessions/s1/labels", "{not json", 400),
            ("POST", "/api/sessions/s1/labels", #"{"label": "CUT"}"#, 400),
            ("POST", "/api/sessions/s1/labels", #"{"label": "SMASH", "beats": [0]}"#, 400),
            ("POST", "/api/sessions/s1/labels", #"{"label": "PAD", "beats": [0]}"#, 400),
            ("POST", "/api/sessions/s1/labels", #"{"label": "CUT", "beats": [\#(beats)]}"#, 400),
            ("POST", "/api/sessions/s1/labels", #"{"label": "CUT", "from": -1, "to": 2}"#, 400),
            ("POST", "/api/sessions/s1/labels", #"{"label": "CUT", "from": 3, "to": 1}"#, 400),
            ("POST", "/api/sessions/nope/labels", #"{"label": "CUT", "beats": [0]}"#, 404),
            ("GET", "/api/sessions/nope", nil, 404),
            ("POST", "/api/sessions/s1/undo", nil, 409),
            ("POST", "/api/sessions/s1/redo", nil, 409),
            ("POST", "/api/sessions/s1/edit", #"{"targetDuration": -3}"#, 400),
            ("POST", "/api/sessions/s1/edit", #"{"keep": [[5, 1]]}"#, 400),
            ("POST", "/api/sessions/s1/edit", #"{"targetDuration": 0.5, "slack": 0.1}"#, 422),
            ("GET", "/api/sessions/s1/export/mp4", nil, 400),
            ("GET", "/api/no/such/route", nil, 404),
            ("PUT", "/api/sessions/s1", nil, 404),
            ("POST", "/api/upload", "abc", 400),
        ]
        for (method, path, body, want) in cases {
            let r = try h.request(method, path, body: body.map { Data($0.utf8) })
            XCTAssertEqual(r.status, want, "\(method) \(path) \(body ?? ""): \(r.text)")
            XCTAssertTrue(r.headers["content-type"]?.hasPrefix("application/json") ?? false, "\(path): \(r.headers)")
            let message = try XCTUnwrap(r.error, "\(method) \(path): no JSON error in \(r.text)")
            XCTAssertFalse(message.contains("\n"))
            XCTAssertFalse(r.text.contains("root:"), "\(path) leaked a file")
            XCTAssertEqual(try h.request("GET", "/api/sessions").status, 200, "server stopped answering after \(path)")
        }
        let badRange = try h.request("GET", "/api/sessions/s1/files/input.wav", headers: ["Range": "bytes=99999999-"])
        XCTAssertEqual(badRange.status, 416, badRange.text)
        XCTAssertNotNil(badRange.error)

        // The target that cannot be reached is the one-line error `edit` gives, naming the file.
        let unreachable = try h.request("POST", "/api/sessions/s1/edit", body: Data(#"{"targetDuration": 0.5, "slack": 0.1}"#.utf8))
        XCTAssertTrue(unreachable.error?.hasPrefix("\(h.input.path): target duration 0.5 s cannot be reached") ?? false, unreachable.text)

        // An upload that is not audio: the one-line error `edit` gives for the same bytes, with the
        // upload's name for the path, and nothing left in the session folder.
        let junk = Data("these are notes, not a recording\n".utf8)
        let r = try h.request("POST", "/api/upload?name=notes.wav", body: junk, contentType: "application/octet-stream")
        XCTAssertEqual(r.status, 422, r.text)
        let same = outside.appendingPathComponent("notes.wav")
        try junk.write(to: same)
        XCTAssertThrowsError(try AudioFile.load(same)) { e in
            let problem = (e as? InputError)?.problem ?? "\(e)"
            XCTAssertEqual(r.error, "notes.wav: \(problem)")
        }
        XCTAssertEqual(folders(h.store), ["s1"])
        try FileManager.default.removeItem(at: h.store.folder.appendingPathComponent("s1/planted.wav"))
        XCTAssertEqual(try h.settled()["version"] as? Int, 0, "no refused request changed the session")
        await h.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.store.folder.path))
    }

    /// Corrections render through `EditPipeline.apply`: the output is what `reconstruct --labels`
    /// makes of the same labels, undo and redo step through them, editing again keeps the keep
    /// regions and the given file reopens as the same session; uploads of audio open as new ones.
    func testCorrectUndoRedoEditAgainAndExport() async throws {
        let h = try await StudioHarness.start(seconds: 6)
        let s0 = try h.settled()
        let labels0 = (s0["beats"] as! [[String: Any]]).map { $0["label"] as! String }
        let keepBeat = try XCTUnwrap(labels0.firstIndex(of: "KEEP"))
        XCTAssertEqual(try h.json("POST", "/api/sessions/s1/labels", #"{"label": "LOOP", "beats": [\#(keepBeat)]}"#).status, 200)
        let s1 = try h.settled()
        let beat = (s1["beats"] as! [[String: Any]])[keepBeat]
        let length = (beat["end"] as! Double) - (beat["start"] as! Double)
        XCTAssertEqual(s1["outputDuration"] as! Double, (s0["outputDuration"] as! Double) + length, accuracy: 512 / 22050 + 1e-6)

        // The exported WAV is the output `EditPipeline.apply` makes of the exported labels.
        let wav = try h.request("GET", "/api/sessions/s1/export/wav")
        XCTAssertEqual(wav.status, 200)
        XCTAssertEqual(wav.headers["content-disposition"], "attachment; filename=\"\(h.input.deletingPathExtension().lastPathComponent)-edited.wav\"")
        let dir = makeTemporaryFolder(prefix: "se-studio-export-")
        try wav.body.write(to: dir.appendingPathComponent("out.wav"))
        let labelsFile = dir.appendingPathComponent("labels.json")
        try h.request("GET", "/api/sessions/s1/export/labels").body.write(to: labelsFile)
        let direct = try EditPipeline().apply(labels: try EditExports.readJSON(labelsFile), to: h.input, reconstruction: nil)
        XCTAssertEqual(try AudioFile.load(dir.appendingPathComponent("out.wav"), sampleRate: nil).samples.count, direct.audio.count)
        for kind in ["audacity", "otio", "edl"] {
            let r = try h.request("GET", "/api/sessions/s1/export/\(kind)")
            XCTAssertEqual(r.status, 200, kind)
            XCTAssertFalse(r.body.isEmpty, kind)
        }
        XCTAssertEqual(try h.request("GET", "/api/sessions/s1/export/otio").text, TimelineExports.otio(direct, source: h.input))
        XCTAssertEqual(try h.request("GET", "/api/sessions/s1/export/edl").text, TimelineExports.edl(direct, source: h.input))

        // Audio is served in byte ranges, so the page can seek in it.
        let whole = try h.request("GET", "/api/sessions/s1/files/input.wav")
        XCTAssertEqual(whole.headers["accept-ranges"], "bytes")
        let part = try h.request("GET", "/api/sessions/s1/files/input.wav", headers: ["Range": "bytes=100-199"])
        XCTAssertEqual(part.status, 206)
        XCTAssertEqual(part.headers["content-range"], "bytes 100-199/\(whole.body.count)")
        XCTAssertEqual(part.body, whole.body.subdata(in: 100..<200))
        let tail = try h.request("GET", "/api/sessions/s1/files/input.wav", headers: ["Range": "bytes=-10"])
        XCTAssertEqual(tail.body, whole.body.suffix(10))

        // Undo, redo.
        _ = try h.json("POST", "/api/sessions/s1/undo")
        XCTAssertEqual(((try h.settled()["beats"] as! [[String: Any]])[keepBeat])["label"] as? String, labels0[keepBeat])
        _ = try h.json("POST", "/api/sessions/s1/redo")
        let s2 = try h.settled()
        XCTAssertEqual(((s2["beats"] as! [[String: Any]])[keepBeat])["label"] as? String, "LOOP")
        XCTAssertEqual(s2["outputDuration"] as! Double, s1["outputDuration"] as! Double)

        // Edit again with a keep region over everything: no beat is cut; undo goes back to before.
        let total = s0["inputDuration"] as! Double
        let edited = try h.json("POST", "/api/sessions/s1/edit", #"{"keep": [[0, \#(total)]]}"#)
        XCTAssertEqual(edited.status, 200, "\(edited.object)")
        let s3 = try h.settled()
        XCTAssertFalse((s3["beats"] as! [[String: Any]]).contains { $0["label"] as? String == "CUT" })
        let keep = try XCTUnwrap(s3["keep"] as? [[Any]])
        XCTAssertEqual(keep.count, 1)
        XCTAssertEqual((keep.first?.last as? NSNumber)?.doubleValue ?? -1, total, accuracy: 1e-9)
        _ = try h.json("POST", "/api/sessions/s1/undo")
        XCTAssertEqual(((try h.settled()["beats"] as! [[String: Any]])[keepBeat])["label"] as? String, "LOOP")

        // The given file by its path is the open session; an uploaded recording is a new one.
        let reopened = try h.json("POST", "/api/open", #"{"path": "\#(h.input.path)"}"#)
        XCTAssertEqual((reopened.object as? [String: Any])?["id"] as? String, "s1")
        let up = try h.request("POST", "/api/upload?name=my%20take.wav", body: try Data(contentsOf: h.input), contentType: "audio/wav")
        XCTAssertEqual(up.status, 201, up.text)
        let s4 = try h.settled("s2")
        XCTAssertEqual(s4["name"] as? String, "my_take.wav")
        XCTAssertEqual((s4["beats"] as! [[String: Any]]).count, labels0.count)
        XCTAssertEqual(try h.json("DELETE", "/api/sessions/s2").status, 200)
        XCTAssertEqual(folders(h.store), ["s1"])
        await h.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.store.folder.path))
    }
}
