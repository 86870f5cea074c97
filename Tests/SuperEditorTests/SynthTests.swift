import XCTest
@testable import SuperEditor

final class SynthTests: XCTestCase {
    func testSameSeedSameSamples() {
        let a = SynthPair.generate(seed: 7, index: 3, seconds: 10...12)
        let b = SynthPair.generate(seed: 7, index: 3, seconds: 10...12)
        XCTAssertEqual(a.raw, b.raw)
        XCTAssertEqual(a.edited, b.edited)
        XCTAssertEqual(a.truth, b.truth)
        let c = SynthPair.generate(seed: 8, index: 3, seconds: 10...12)
        XCTAssertNotEqual(a.raw, c.raw)
    }

    func testSameSeedByteIdenticalFiles() throws {
        let dir1 = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString)")
        let dir2 = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir1); try? FileManager.default.removeItem(at: dir2) }
        try SynthPair.generate(seed: 11, index: 0, seconds: 10...10).write(to: dir1)
        try SynthPair.generate(seed: 11, index: 0, seconds: 10...10).write(to: dir2)
        for f in ["raw/synth_00000.wav", "edited/synth_00000.wav", "truth/synth_00000.json"] {
            XCTAssertEqual(try Data(contentsOf: dir1.appendingPathComponent(f)), try Data(contentsOf: dir2.appendingPathComponent(f)), f)
        }
    }

    func testEditedIsTheTrueLabelsApplied() {
        let p = SynthPair.generate(seed: 3, index: 1, seconds: 10...12)
        let labels = p.truth.labels.map { EditLabel(rawValue: $0)! }
        XCTAssertEqual(p.truth.beatTimes.count, labels.count)
        XCTAssertEqual(p.edited, WaveformEditor(sampleRate: p.truth.sampleRate).apply(p.raw, beatTimes: p.truth.beatTimes, labels: labels))
        XCTAssertEqual(p.truth.editedDuration, Double(p.edited.count) / Double(p.truth.sampleRate), accuracy: 1e-9)
    }

    func testEveryLabelButPadOccursAndTheStyleHolds() {
        var seen = Set<EditLabel>()
        for i in 0..<4 {
            let p = SynthPair.generate(seed: 5, index: i, seconds: 10...12)
            let labels = p.truth.labels.map { EditLabel(rawValue: $0)! }
            seen.formUnion(labels)
            XCTAssertFalse(labels.contains(.pad))
            // Always: a count-in cut first, a fade-in, a fade-out before the dead air, one looped bar.
            XCTAssertEqual(Array(labels.prefix(4)), [.cut, .cut, .cut, .cut])
            XCTAssertEqual(labels[4], .fadeIn)
            XCTAssertEqual(labels.last, .cut)
            XCTAssertEqual(labels.filter { $0 == .loop }.count, 4)
            XCTAssertEqual(p.truth.editScript.first?.reason, "count-in")
            XCTAssertGreaterThanOrEqual(p.truth.bpm, 80)
            XCTAssertLessThanOrEqual(p.truth.bpm, 160)
        }
        XCTAssertEqual(seen, Set(EditLabel.actions))
    }

    func testTruthJSONRoundTrips() throws {
        let p = SynthPair.generate(seed: 2, index: 0, seconds: 10...10)
        let decoded = try JSONDecoder().decode(SynthTruth.self, from: try p.truth.encoded())
        XCTAssertEqual(decoded, p.truth)
        let object = try JSONSerialization.jsonObject(with: try p.truth.encoded()) as! [String: Any]
        for key in ["beat_times", "labels", "edit_script"] { XCTAssertNotNil(object[key], key) }
    }
}
