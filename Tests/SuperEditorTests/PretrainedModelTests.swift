import AudioDSP
import Foundation
import TestSupport
import XCTest
@testable import SuperEditor

/// The models shipped in the repository (MODEL_CARD.md): what they say about themselves, and
/// an edit of real music with a put-in dropout when `make test` has fetched some.
final class PretrainedModelTests: XCTestCase {
    func testShippedModelsLoadAndSayWhatTheyAre() throws {
        let p = try CheckpointInfo(try PretrainedModels.policyURL()), r = try CheckpointInfo(try PretrainedModels.reconstructionURL())
        XCTAssertEqual(p.kind, "policy")
        XCTAssertEqual(p.architecture, "beat")
        XCTAssertEqual(r.kind, "reconstruction")
        for info in [p, r] {
            let data = try XCTUnwrap(info.data, "\(info.path) records its data")
            XCTAssertGreaterThan(data.trainPairs, 100)
            XCTAssertTrue(data.description?.contains("hyperrogue-music") ?? false)
            XCTAssertNotNil(info.step)
            XCTAssertFalse(info.validationSummary.isEmpty, "\(info.path) records its validation figures")
        }
        XCTAssertNotNil(p.validation?["beat_accuracy"] as? Double)
        XCTAssertLessThan(p.bytes + r.bytes, 5 << 20, "a few MB at most")
        _ = try PretrainedModels.policy()
        _ = try PretrainedModels.reconstruction()
    }

    /// `make pretrained` trains the policy with tools/pretrained-phase2.json, not with today's
    /// defaults: that file must be the run config the shipped policy records, field for field.
    func testTheRecipesPolicyConfigIsTheShippedPolicys() throws {
        let tools = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/pretrained-phase2.json")
        let recipe = try Phase2Config.load(tools)
        let recorded = try XCTUnwrap(CheckpointInfo(try PretrainedModels.policyURL()).trainingConfig)
        let shipped = try JSONDecoder().decode(Phase2Config.self, from: try JSONSerialization.data(withJSONObject: recorded))
        XCTAssertEqual(recipe, shipped)
        XCTAssertNotEqual(recipe.model, Phase2Config.cpuDefault.model, "the defaults moved on; the recipe pins the shipped trunk")
    }

    func testShippedModelsRemoveADropoutFromRealMusic() throws {
        guard let folder = ProcessInfo.processInfo.environment["SUPER_EDITOR_MUSIC"] else {
            throw XCTSkip("SUPER_EDITOR_MUSIC is not set (make test fetches Debian's drascula-music into it)")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".ogg") }.sorted()
        guard let name = files.first else { throw XCTSkip("no recordings in \(folder)") }
        let audio = try AudioFile.load(URL(fileURLWithPath: folder).appendingPathComponent(name))
        let sr = audio.sampleRate
        // A 20 s excerpt with sound all through, from the middle of the recording.
        let length = 20 * sr, offset = max(0, audio.samples.count / 2 - length / 2)
        XCTAssertGreaterThan(audio.samples.count, length)
        var clip = Array(audio.samples[offset..<min(audio.samples.count, offset + length)])
        XCTAssertLessThan(Self.longestSilence(clip, sampleRate: sr), 0.1, "the excerpt itself has no gap")
        // One beat of digital silence near the middle, on the grid `edit` decides on.
        let beats = StylePairs.beatStarts(clip, sampleRate: sr)
        let k = beats.count / 2
        let dropout = beats[k]..<beats[k + 1]
        for i in dropout { clip[i] = 0 }
        XCTAssertGreaterThan(Self.longestSilence(clip, sampleRate: sr), 0.25)
        let dir = makeTemporaryFolder(prefix: "se-pretrained-")
        let input = dir.appendingPathComponent("clip.wav")
        try AudioFile.write(clip, sampleRate: sr, to: input)

        let r = try EditPipeline().run(input: input, policy: try PretrainedModels.policy(), reconstruction: try PretrainedModels.reconstruction())
        let hop = Double(r.features.hopLength) / Double(r.features.sampleRate)
        let cut = r.labels.indices.filter { r.labels[$0] == .cut }.map { Double(r.beatStartTimes[$0]) ... Double(r.beatEndTimes[$0]) }
        let d0 = Double(dropout.lowerBound) / Double(sr), d1 = Double(dropout.upperBound) / Double(sr)
        let covered = cut.reduce(0.0) { $0 + max(0, min($1.upperBound, d1) - max($1.lowerBound, d0)) }
        XCTAssertGreaterThan(covered, 0.8 * (d1 - d0) - hop, "the dropout's beat is cut: \(r.labels.map(\.name))")
        XCTAssertLessThan(Self.longestSilence(r.audio, sampleRate: r.sampleRate), 0.1, "no gap is left in the output")
        let keptShare = Double(r.labels.filter { $0 != .cut && $0 != .effect }.count) / Double(r.labels.count)
        XCTAssertGreaterThan(keptShare, 0.85, "the clean music is kept: \(r.labels.map(\.name))")
    }

    /// The longest run of 10 ms blocks below -60 dBFS RMS, in seconds.
    static func longestSilence(_ x: [Float], sampleRate: Int) -> Double {
        let block = sampleRate / 100
        var run = 0, longest = 0
        for start in stride(from: 0, to: x.count - block, by: block) {
            var e: Float = 0
            for i in start..<(start + block) { e += x[i] * x[i] }
            if e / Float(block) < 1e-6 { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        return Double(longest) * Double(block) / Double(sampleRate)
    }
}
