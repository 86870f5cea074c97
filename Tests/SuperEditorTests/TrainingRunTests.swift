import Foundation
import XCTest
import Tensor
@testable import SuperEditor

/// The run folder, the effective config and the cache's split: each decided in one place.
final class TrainingRunTests: XCTestCase {
    func toyConfig() -> Phase1Config {
        var c = Phase1Config.preset("tiny")!
        c.encoderDim = 16; c.decoderDim = 16; c.nEncoderLayers = 1; c.nDecoderLayers = 1; c.nHeads = 2
        c.batchSize = 2; c.maxSeqLen = 32; c.totalSteps = 4; c.warmupSteps = 1; c.validateEvery = 100; c.seed = 2
        return c
    }

    func savedRun(_ ds: PairedMelDataset) throws -> URL {
        let out = temporaryDirectory()
        let t = try Phase1Trainer(config: toyConfig(), dataset: ds, out: out)
        t.showProgress = false
        try t.trainStep()
        try t.saveCheckpoint(t.runFolder.last)
        return out
    }

    func testResumeHonoursStepsAndRefusesOtherOverrides() throws {
        let ds = try PairedMelDataset(cache: try ToyCache.make(pairs: 4))
        let out = try savedRun(ds)
        XCTAssertEqual(try Phase1Config.load(TrainingRun(out).configFile), toyConfig(), "the effective config is saved in the run")
        // More steps and another validation interval are honoured.
        var more = toyConfig(); more.totalSteps = 9; more.validateEvery = 3
        let resumed = try Phase1Trainer(config: more, dataset: ds, out: out, resume: true, overrides: ["total_steps", "validate_every"])
        XCTAssertEqual(resumed.config.totalSteps, 9)
        XCTAssertEqual(resumed.config.validateEvery, 3)
        XCTAssertEqual(resumed.step, 1)
        // A learning rate, batch size or seed would change what the run means: refused, by name.
        for (key, change) in [("learning_rate", { (c: inout Phase1Config) in c.learningRate = 0.5 }),
                              ("batch_size", { $0.batchSize = 5 }), ("seed", { $0.seed = 99 })] {
            var c = toyConfig(); change(&c)
            XCTAssertThrowsError(try Phase1Trainer(config: c, dataset: ds, out: out, resume: true, overrides: [key])) {
                XCTAssertEqual(($0 as? InputError)?.path, out.path)
                XCTAssertTrue("\($0)".contains(key) && "\($0)".contains("resumed run keeps its config"), "\($0)")
            }
        }
        // The same value as the saved run is no change, and is accepted.
        XCTAssertNoThrow(try Phase1Trainer(config: toyConfig(), dataset: ds, out: out, resume: true, overrides: ["learning_rate"]))
        // A field the command line did not set is the saved run's, whatever the request says.
        var ignored = toyConfig(); ignored.learningRate = 0.5
        XCTAssertEqual(try Phase1Trainer(config: ignored, dataset: ds, out: out, resume: true).config.learningRate,
                       toyConfig().learningRate)
    }

    func testPolicyResumeRefusesAChangedRatio() throws {
        let cache = try ToyCache.make(pairs: 4, frames: 40)
        let ds = try PairedMelDataset(cache: cache)
        var c = Phase2Config.frameCPUDefault
        c.predictorDim = 16; c.nLayers = 1; c.nHeads = 2; c.batchSize = 2; c.minibatchSize = 2; c.maxSeqLen = 32
        c.warmStart = .none; c.updates = 1; c.validateEvery = 1
        let recon = ReconstructionModel(ReconstructionConfig(encoderDim: 16, nEncoderLayers: 1, nDecoderLayers: 1, nHeads: 2, dropout: 0), seed: 1)
        let out = temporaryDirectory()
        let t = try PPOTrainer(config: c, dataset: ds, reconstruction: recon, out: out)
        t.showProgress = false
        _ = try t.run()
        var changed = c; changed.ratio = .sequence
        XCTAssertThrowsError(try PPOTrainer(config: changed, dataset: ds, reconstruction: recon, out: out, resume: true, overrides: ["ratio"])) {
            XCTAssertTrue("\($0)".contains("ratio"), "\($0)")
        }
        var more = c; more.updates = 3
        XCTAssertEqual(try PPOTrainer(config: more, dataset: ds, reconstruction: recon, out: out, resume: true, overrides: ["updates"]).config.updates, 3)
    }

    func testTheSplitIsTheCachesOwn() throws {
        let half = try ToyCache.make(pairs: 12, validationFraction: 0.5)
        let tenth = try ToyCache.make(pairs: 12, validationFraction: 0.1)
        let a = try PairedMelDataset(cache: half), b = try PairedMelDataset(cache: tenth)
        let ids = (0..<12).map { String(format: "toy%03d", $0) }
        XCTAssertEqual(a.validationIDs, CacheLayout.split(ids, validationFraction: 0.5).validation)
        XCTAssertEqual(b.validationIDs, CacheLayout.split(ids, validationFraction: 0.1).validation)
        XCTAssertGreaterThan(a.validationIDs.count, b.validationIDs.count)
        XCTAssertTrue(Set(a.trainIDs).isDisjoint(with: a.validationIDs))
        // A cache without a stored split uses the default.
        XCTAssertEqual(try CacheLayout(root: try ToyCache.make(pairs: 3)).validationFraction(), CacheLayout.defaultValidationFraction)
    }

    func testConfigFieldsEitherTakeEffectOrAreRefused() throws {
        let ds = try PairedMelDataset(cache: try ToyCache.make(pairs: 3))
        var c = toyConfig(); c.decoderDim = 32
        XCTAssertThrowsError(try Phase1Trainer(config: c, dataset: ds, out: temporaryDirectory())) {
            XCTAssertTrue("\($0)".contains("decoder_dim"), "\($0)")
        }
        c = toyConfig(); c.sampleRate = 44100
        XCTAssertThrowsError(try Phase1Trainer(config: c, dataset: ds, out: temporaryDirectory())) {
            XCTAssertTrue("\($0)".contains("22050 Hz") && "\($0)".contains(ds.cache.path), "\($0)")
        }
        c = toyConfig(); c.hopLength = 256
        XCTAssertThrowsError(try Phase1Trainer(config: c, dataset: ds, out: temporaryDirectory()))
        let file = temporaryDirectory().appendingPathComponent("c.json")
        try Data(#"{"validation_fraction": 0.3}"#.utf8).write(to: file)
        XCTAssertThrowsError(try Phase1Config.load(file)) { XCTAssertTrue("\($0)".contains("prepare --validation-fraction"), "\($0)") }
    }
}
