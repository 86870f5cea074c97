import AudioDSP
import XCTest
@testable import SuperEditor

/// The clean-up style of the shipped model: defects put into music, edited away.
final class CleanupStyleTests: XCTestCase {
    func testEveryPutInDefectIsCutAndTheEndsFade() throws {
        let music = SynthPair.generate(seed: 41, index: 0, seconds: 40...40).raw
        var maker = StylePairs()
        maker.style = .cleanup
        maker.seconds = 24...24
        var reasons = Set<String>()
        for seed in UInt64(0)..<6 {
            guard let pair = maker.make(samples: music, sampleRate: 22050, seed: seed, id: "c\(seed)") else { continue }
            let labels = pair.truth.labels.compactMap(EditLabel.init(rawValue:))
            let steps = pair.truth.editScript
            XCTAssertEqual(steps.count, labels.count, "one step per beat")
            for (k, step) in steps.enumerated() {
                reasons.insert(step.reason)
                let clean = CleanupStyle.cleanReasons.contains(step.reason)
                XCTAssertEqual(labels[k] == .cut, !clean, "beat \(k) (\(step.reason)) of pair \(seed)")
                XCTAssertTrue([.cut, .keep, .fadeIn, .fadeOut].contains(labels[k]))
            }
            let first = labels.firstIndex { $0 != .cut }!, last = labels.lastIndex { $0 != .cut }!
            XCTAssertEqual(Array(labels[first...(first + 1)]), [.fadeIn, .fadeIn])
            XCTAssertEqual(Array(labels[(last - 1)...last]), [.fadeOut, .fadeOut])
            XCTAssertLessThan(pair.edited.count, pair.raw.count, "the defects are cut")
            let again = try XCTUnwrap(maker.make(samples: music, sampleRate: 22050, seed: seed, id: "c\(seed)"))
            XCTAssertEqual(again.raw, pair.raw, "the same seed gives the same pair")
        }
        XCTAssertTrue(reasons.isSuperset(of: ["dropout", "keep", "fade in", "fade out"]), "\(reasons)")
        XCTAssertGreaterThanOrEqual(reasons.count, 6, "several kinds of defect in six pairs: \(reasons)")
    }

    func testSyntheticCleanupStyleCutsDefectsAndFadesTwoBeats() {
        let guide = SynthPair.generate(seed: 5, index: 2, seconds: 20...20)
        let cleanup = SynthPair.generate(seed: 5, index: 2, seconds: 20...20, style: .cleanup)
        XCTAssertEqual(guide.raw, cleanup.raw, "the style changes the edit, not the track")
        let g = guide.truth.labels.compactMap(EditLabel.init(rawValue:)), c = cleanup.truth.labels.compactMap(EditLabel.init(rawValue:))
        for k in g.indices where g[k] == .cut { XCTAssertEqual(c[k], .cut, "a defect is cut in both styles") }
        XCTAssertTrue(Set(c).isSubset(of: [.cut, .keep, .fadeIn, .fadeOut]), "\(Set(c))")
        XCTAssertEqual(c.filter { $0 == .fadeIn }.count, CleanupStyle.fadeBeats)
        XCTAssertEqual(c.filter { $0 == .fadeOut }.count, CleanupStyle.fadeBeats)
    }

    func testLabelInferenceReadsTheCleanupStyle() throws {
        let music = SynthPair.generate(seed: 43, index: 0, seconds: 40...40).raw
        var maker = StylePairs()
        maker.style = .cleanup
        var right = 0, total = 0
        for seed in UInt64(10)..<13 {
            guard let pair = maker.make(samples: music, sampleRate: 22050, seed: seed, id: "i\(seed)") else { continue }
            let raw = try FeatureExtractor().extract(pair.raw), edited = try FeatureExtractor().extract(pair.edited)
            let inferred = try LabelInference().infer(raw: raw, edited: edited)
            for (k, t) in inferred.beatTimes.enumerated() {
                guard let j = pair.truth.beatTimes.firstIndex(where: { abs($0 - t) < 0.03 }) else { continue }
                total += 1
                if inferred.labels[k].rawValue == pair.truth.labels[j] { right += 1 }
            }
        }
        XCTAssertGreaterThan(total, 100)
        XCTAssertGreaterThanOrEqual(Double(right) / Double(total), 0.97, "\(right) of \(total) beats")
    }
}
