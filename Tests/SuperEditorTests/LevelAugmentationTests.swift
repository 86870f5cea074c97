import XCTest
@testable import SuperEditor

final class LevelAugmentationTests: XCTestCase {
    let m = 4, beatLength = 10

    func pair(beats: Int, level: Float, labels: [EditLabel]? = nil) -> PairedMelDataset.Pair {
        let frames = beats * beatLength
        let beatLabels = (labels ?? [EditLabel](repeating: .keep, count: beats)).map(\.rawValue)
        var mel = [Float](repeating: level, count: frames * m)
        mel[0] = 1  // the track's loudest value
        return PairedMelDataset.Pair(id: "p", frames: frames, mel: mel, target: mel,
                                     labels: (0..<frames).map { beatLabels[$0 / beatLength] }, edited: mel, editedFrames: frames,
                                     beatFrames: (0..<beats).map { $0 * beatLength }, beatLabels: beatLabels, transient: [])
    }

    func testASectionOfCleanBeatsMovesByTheGainAndIsCut() {
        let original = pair(beats: 20, level: 0.5)
        var gains = Set<Float>()
        for seed in UInt64(0)..<40 {
            let out = LevelAugmentation(probability: 1).apply(original, nMels: m, seed: seed)
            let cut = out.beatLabels.indices.filter { out.beatLabels[$0] == EditLabel.cut.rawValue }
            XCTAssertTrue((2...4).contains(cut.count), "seed \(seed)")
            XCTAssertEqual(cut, Array(cut[0]...cut.last!), "one run")
            XCTAssertGreaterThanOrEqual(cut[0], 3); XCTAssertLessThan(cut.last!, 17, "clear of the ends")
            for f in 0..<original.frames {
                let inside = cut.contains(f / beatLength)
                XCTAssertEqual(out.labels[f], inside ? EditLabel.cut.rawValue : EditLabel.keep.rawValue)
                for j in 0..<m where f * m + j > 0 {
                    let moved = out.mel[f * m + j] - original.mel[f * m + j]
                    if inside { gains.insert((moved * 80).rounded()) } else { XCTAssertEqual(moved, 0, "frame \(f)") }
                }
            }
            XCTAssertEqual(out.beatLabels.count, original.beatLabels.count)
            let again = LevelAugmentation(probability: 1).apply(original, nMels: m, seed: seed)
            XCTAssertEqual(again.mel, out.mel); XCTAssertEqual(again.beatLabels, out.beatLabels)
        }
        XCTAssertEqual(gains, [-14, 6], "both gains, each the same on every band")
        XCTAssertEqual(LevelAugmentation(probability: 0).apply(original, nMels: m, seed: 1).mel, original.mel)
    }

    /// A section pushed past the loudest frame raises the reference: every frame drops by the
    /// excess and stays floored at 0, as `power_to_db(ref=max)` and the normalisation would do.
    func testALoudSectionAboveTheTrackMaximumLowersTheRest() throws {
        let original = pair(beats: 20, level: 0.97)
        let out = try XCTUnwrap((UInt64(0)..<40).lazy.map { LevelAugmentation(probability: 1).apply(original, nMels: self.m, seed: $0) }
            .first { $0.mel.max()! > 0.97 + 0.01 && $0.mel[0] < 1 })
        XCTAssertEqual(out.mel.max()!, 1, accuracy: 1e-6)
        let excess = 0.97 + 6 / 80 - 1 as Float
        XCTAssertEqual(out.mel[0], 1 - excess, accuracy: 1e-6)
        XCTAssertEqual(out.mel[1], 0.97 - excess, accuracy: 1e-6)
        XCTAssertGreaterThanOrEqual(out.mel.min()!, 0)
    }

    func testNothingChangesWithoutARunOfCleanBeats() {
        let busy = pair(beats: 12, level: 0.5, labels: (0..<12).map { $0 % 3 == 0 ? .cut : .keep })
        for seed in UInt64(0)..<10 {
            let out = LevelAugmentation(probability: 1).apply(busy, nMels: m, seed: seed)
            XCTAssertEqual(out.mel, busy.mel); XCTAssertEqual(out.beatLabels, busy.beatLabels)
        }
    }

    func testTheRunConfigReadsItAndChecksItsRange() throws {
        XCTAssertNil(try JSONDecoder().decode(Phase2Config.self, from: Data("{}".utf8)).levelAugmentation)
        XCTAssertEqual(try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"level_augmentation":0.5}"#.utf8)).levelAugmentation, 0.5)
        XCTAssertThrowsError(try JSONDecoder().decode(Phase2Config.self, from: Data(#"{"level_augmentation":1.5}"#.utf8)))
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(Phase2Config.cpuDefault), as: UTF8.self).contains("level_augmentation"))
    }
}
