import AudioDSP
import XCTest
@testable import SuperEditor

final class PrepareTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("prepare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Two good pairs and one of each kind of bad pair.
    func makeDataset() throws -> (raw: URL, edited: URL) {
        for i in 0..<2 { try SynthPair.generate(seed: 77, index: i, seconds: 10...10).write(to: dir) }
        let raw = dir.appendingPathComponent("raw"), edited = dir.appendingPathComponent("edited")
        let sr = AudioFile.defaultSampleRate
        // No partner.
        try AudioFile.write([Float](repeating: 0.1, count: sr * 3), sampleRate: sr, to: raw.appendingPathComponent("lonely.wav"))
        // Unreadable: not audio at all.
        try Data("not a wav".utf8).write(to: raw.appendingPathComponent("corrupt.wav"))
        try Data("not a wav".utf8).write(to: edited.appendingPathComponent("corrupt.wav"))
        // Too short.
        let blip = (0..<(sr / 2)).map { sinf(Float($0) * 0.1) * 0.5 }
        try AudioFile.write(blip, sampleRate: sr, to: raw.appendingPathComponent("short.wav"))
        try AudioFile.write(blip, sampleRate: sr, to: edited.appendingPathComponent("short.wav"))
        // Silent.
        let silence = [Float](repeating: 0, count: sr * 4)
        try AudioFile.write(silence, sampleRate: sr, to: raw.appendingPathComponent("silent.wav"))
        try AudioFile.write(silence, sampleRate: sr, to: edited.appendingPathComponent("silent.wav"))
        return (raw, edited)
    }

    /// An "edit" that is another piece of music is flagged and skipped, not trained on with
    /// wrong labels; a real edit reports a confident alignment. `keepUnexplained` keeps it.
    func testAnEditTheVocabularyCannotExplainIsFlagged() throws {
        let good = SynthPair.generate(seed: 5, index: 0, seconds: 12...12)
        try good.write(to: dir)
        let other = SynthPair.generate(seed: 6, index: 1, seconds: 12...12)
        let raw = dir.appendingPathComponent("raw"), edited = dir.appendingPathComponent("edited")
        try AudioFile.write(good.raw, sampleRate: 22050, to: raw.appendingPathComponent("remix.wav"))
        try AudioFile.write(other.edited, sampleRate: 22050, to: edited.appendingPathComponent("remix.wav"))
        let cache = dir.appendingPathComponent("cache")
        let report = try Prepare().run(raw: raw, edited: edited, cache: cache, progress: false)
        XCTAssertEqual(report.prepared, [good.id])
        XCTAssertEqual(report.skipped.map(\.id), ["remix"])
        XCTAssertTrue(report.skipped[0].reason.contains("not explained by the label vocabulary"), report.skipped[0].reason)
        let quality = try XCTUnwrap(report.alignment[good.id])
        XCTAssertGreaterThan(quality.matched, 0.6)
        let stored = try JSONDecoder().decode(LabelInference.AlignmentQuality.self,
                                              from: Data(contentsOf: CacheLayout(root: cache).alignment(good.id)))
        XCTAssertEqual(stored, quality)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: CacheLayout(root: cache).manifest)) as! [String: Any]
        XCTAssertNotNil((manifest["alignment"] as? [String: Any])?[good.id])

        var keeping = Prepare()
        keeping.keepUnexplained = true
        let kept = try keeping.run(raw: raw, edited: edited, cache: cache, progress: false)
        XCTAssertEqual(kept.prepared, ["remix"])
        XCTAssertLessThan(try XCTUnwrap(kept.alignment["remix"]).matched, 0.5)
    }

    func testPreparesGoodPairsSkipsBadOnesAndResumes() throws {
        let (raw, edited) = try makeDataset()
        let cache = dir.appendingPathComponent("cache")
        let report = try Prepare().run(raw: raw, edited: edited, cache: cache, progress: false)
        XCTAssertEqual(report.prepared, ["synth_00000", "synth_00001"])
        let skipped = Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.id, $0.reason) })
        XCTAssertEqual(Set(skipped.keys), ["lonely", "corrupt", "short", "silent"])
        XCTAssertTrue(skipped["lonely"]!.contains("no edited partner"), skipped["lonely"]!)
        XCTAssertTrue(skipped["corrupt"]!.contains("corrupt.wav"), skipped["corrupt"]!)
        XCTAssertTrue(skipped["short"]!.contains("too short"), skipped["short"]!)
        XCTAssertTrue(skipped["silent"]!.contains("silent"), skipped["silent"]!)

        let layout = CacheLayout(root: cache)
        for id in report.prepared {
            XCTAssertTrue(layout.isComplete(id))
            let features = try NPZ.read(layout.rawFeatures(id))
            let mel = features["mel"]!
            XCTAssertEqual(mel.dtype, .float32)
            XCTAssertEqual(mel.shape[1], 128)
            let frames = mel.shape[0]
            for key in ["beat_times", "db_min", "db_max", "sample_rate", "hop_length"] { XCTAssertNotNil(features[key], key) }
            XCTAssertEqual(features["hop_length"]!.shape, [])
            let labels = try NPY.read(layout.frameLabels(id))
            XCTAssertEqual(labels.dtype, .int64)
            XCTAssertEqual(labels.shape, [frames])
            let beatLabels = try NPY.read(layout.beatLabels(id)), beats = try NPY.read(layout.beats(id))
            XCTAssertEqual(beatLabels.count, beats.count)
            XCTAssertEqual(beats.dtype, .float64)
            let target = try NPY.read(layout.alignedTarget(id))
            XCTAssertEqual(target.shape, [frames, 128])
            // CUT frames of the target are silence; played frames are not.
            let l = labels.int64s(), t = target.floats()
            for f in 0..<frames where l[f] == 0 { XCTAssertEqual(t[(f * 128)..<((f + 1) * 128)].max(), 0) }
            XCTAssertGreaterThan(t.max() ?? 0, 0.5)
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: layout.manifest)) as! [String: Any]
        XCTAssertEqual(manifest["prepared"] as? [String], ["synth_00000", "synth_00001"])
        XCTAssertEqual((manifest["skipped"] as? [[String: String]])?.count, 4)
        XCTAssertNotNil(manifest["settings"])
        // No temporary files left behind.
        for sub in ["features", "labels", "aligned"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent(sub).path)
            XCTAssertFalse(names.contains { $0.hasPrefix(".") }, "\(names)")
        }

        // A re-run skips what is finished, and redoes a pair whose files are incomplete.
        try FileManager.default.removeItem(at: layout.alignedTarget("synth_00001"))
        let again = try Prepare().run(raw: raw, edited: edited, cache: cache, progress: false)
        XCTAssertEqual(again.alreadyDone, ["synth_00000"])
        XCTAssertEqual(again.prepared, ["synth_00001"])
    }

    func testMissingFolderIsAnErrorNamingIt() {
        let missing = dir.appendingPathComponent("nope")
        XCTAssertThrowsError(try Prepare().run(raw: missing, edited: dir, cache: dir.appendingPathComponent("c"), progress: false)) {
            XCTAssertTrue("\($0)".contains(missing.path), "\($0)")
        }
    }

    /// The cache opens in NumPy, and NumPy-written arrays open here.
    func testCacheRoundTripsWithNumPy() throws {
        guard let python = ProcessInfo.processInfo.environment["SUPER_EDITOR_PYTHON"] else {
            throw XCTSkip("SUPER_EDITOR_PYTHON is not set (make test sets it to a python with numpy)")
        }
        try SynthPair.generate(seed: 78, index: 0, seconds: 10...10).write(to: dir)
        let cache = dir.appendingPathComponent("cache")
        _ = try Prepare().run(raw: dir.appendingPathComponent("raw"), edited: dir.appendingPathComponent("edited"),
                              cache: cache, progress: false)
        let layout = CacheLayout(root: cache)
        let id = "synth_00000"
        let written = dir.appendingPathComponent("from_numpy")
        try FileManager.default.createDirectory(at: written, withIntermediateDirectories: true)
        let script = """
        import numpy as np, sys
        f = np.load(sys.argv[1]); lab = np.load(sys.argv[2]); tgt = np.load(sys.argv[3])
        bl = np.load(sys.argv[4]); bt = np.load(sys.argv[5])
        assert f['mel'].dtype == np.float32 and f['mel'].shape[1] == 128
        assert f['db_min'].shape == () and int(f['hop_length']) == 512 and int(f['sample_rate']) == 22050
        assert lab.dtype == np.int64 and lab.shape == (f['mel'].shape[0],)
        assert tgt.dtype == np.float32 and tgt.shape == f['mel'].shape
        assert bl.dtype == np.int64 and bt.dtype == np.float64 and bl.shape == bt.shape
        assert np.all(tgt[lab == 0] == 0)
        out = sys.argv[6]
        np.savez(out + '/x_raw.npz', mel=f['mel'][:50], beat_times=f['beat_times'], db_min=f['db_min'], db_max=f['db_max'],
                 sample_rate=f['sample_rate'], hop_length=f['hop_length'])
        np.save(out + '/x_labels.npy', lab[:50])
        np.save(out + '/x_target.npy', tgt[:50])
        print(float(f['mel'][:50].sum()), int(lab[:50].sum()))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, layout.rawFeatures(id).path, layout.frameLabels(id).path, layout.alignedTarget(id).path,
                       layout.beatLabels(id).path, layout.beats(id).path, written.path]
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        let numbers = out.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
        XCTAssertEqual(numbers.count, 2)

        let f = try NPZ.read(written.appendingPathComponent("x_raw.npz"))
        let mine = try NPZ.read(layout.rawFeatures(id))
        XCTAssertEqual(f["mel"]!.floats(), Array(mine["mel"]!.floats().prefix(50 * 128)))
        XCTAssertEqual(f["mel"]!.floats().reduce(0.0) { $0 + Double($1) }, numbers[0], accuracy: 1e-2)
        XCTAssertEqual(f["hop_length"]!.scalarValue, 512)
        let labels = try NPY.read(written.appendingPathComponent("x_labels.npy"))
        XCTAssertEqual(labels.int64s().reduce(0, +), Int64(numbers[1]))
        XCTAssertEqual(try NPY.read(written.appendingPathComponent("x_target.npy")).shape, [50, 128])
    }

    /// Feature files carry the transient measure; one written before it reads with none, and a
    /// wrong-sized one is a one-line error naming the file.
    func testFeatureFilesCarryTheTransientMeasure() throws {
        let y = (0..<(AudioFile.defaultSampleRate * 2)).map { sinf(Float($0) * 0.05) * 0.4 }
        let f = try FeatureExtractor().extract(y)
        let url = dir.appendingPathComponent("f.npz")
        try CacheLayout.writeFeatures(f, to: url)
        let back = try CacheLayout.readFeatures(url)
        XCTAssertEqual(back.transient, f.transient)
        XCTAssertEqual(back.transient.count, back.frames)
        var old = try NPZ.read(url)
        old["transient"] = nil
        try NPZ.write(old, to: url)
        XCTAssertEqual(try CacheLayout.readFeatures(url).transient, [])
        old["transient"] = NPYArray([Float](repeating: 0, count: 3), shape: [3])
        try NPZ.write(old, to: url)
        XCTAssertThrowsError(try CacheLayout.readFeatures(url)) { error in
            XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains("transient"), "\(error)")
        }
    }
}
