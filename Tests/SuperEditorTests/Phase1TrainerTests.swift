import Foundation
import XCTest
import NN
import Tensor
@testable import SuperEditor

final class Phase1TrainerTests: XCTestCase {
    func toyConfig(steps: Int) -> Phase1Config {
        var c = Phase1Config.preset("tiny")!
        c.encoderDim = 32; c.decoderDim = 32; c.nEncoderLayers = 1; c.nDecoderLayers = 1; c.nHeads = 2
        c.batchSize = 3; c.maxSeqLen = 64; c.totalSteps = steps; c.warmupSteps = 2; c.validateEvery = 3
        c.learningRate = 3e-3; c.seed = 5
        return c
    }

    func testDatasetSplitsCropsAndPads() throws {
        let cache = try ToyCache.make(pairs: 12, validationFraction: 0.25)
        let ds = try PairedMelDataset(cache: cache)
        XCTAssertFalse(ds.validationIDs.isEmpty)
        XCTAssertTrue(Set(ds.trainIDs).isDisjoint(with: ds.validationIDs))
        XCTAssertEqual(ds.trainIDs.count + ds.validationIDs.count, 12)
        let again = try PairedMelDataset(cache: cache)
        XCTAssertEqual(again.validationIDs, ds.validationIDs, "the split is deterministic")
        let a = try ds.trainingBatch(step: 3, batchSize: 4, maxSeqLen: 50, seed: 9)
        let b = try ds.trainingBatch(step: 3, batchSize: 4, maxSeqLen: 50, seed: 9)
        XCTAssertEqual(a.ids, b.ids)
        XCTAssertEqual(a.mel.scalars, b.mel.scalars, "same seed and step, same batch")
        XCTAssertEqual(a.mel.shape, [4, 50, 128])
        XCTAssertNotEqual(try ds.trainingBatch(step: 4, batchSize: 4, maxSeqLen: 50, seed: 9).mel.scalars, a.mel.scalars)
        // Validation windows cover every frame once, padded with PAD labels.
        let windows = try ds.validationBatches(batchSize: 2, maxSeqLen: 50)
        let total = try ds.validationIDs.map { try ds.pair($0).frames }.reduce(0, +)
        XCTAssertEqual(windows.flatMap(\.lengths).reduce(0, +), total)
        for w in windows {
            let t = w.mel.shape[1]
            for (i, len) in w.lengths.enumerated() where len < t {
                XCTAssertEqual(w.labels[i * t + len], EditLabel.pad.rawValue)
                XCTAssertEqual(w.mel.data[(i * t + len) * 128], 0)
            }
        }
    }

    func testTrainingWritesCheckpointsLogsAndPlots() throws {
        let cache = try ToyCache.make(pairs: 8, validationFraction: 0.25)
        let out = temporaryDirectory().appendingPathComponent("run")
        let ds = try PairedMelDataset(cache: cache)
        // From PyTorch's initialisation, so that six steps measurably improve on the start (from
        // the identity start they barely move it: see testKeepPreservationHoldsWhileTheEditsAreLearned).
        var c = toyConfig(steps: 6); c.outputInitScale = 1
        let trainer = try Phase1Trainer(config: c, dataset: ds, out: out)
        trainer.showProgress = false
        trainer.logEvery = 1
        let before = try trainer.validate()
        let result = try trainer.run()
        XCTAssertEqual(result.step, 6)
        XCTAssertFalse(result.interrupted)
        for f in ["best.safetensors", "last.safetensors", "last.state.safetensors", "metrics.jsonl", "plots/step_6.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
        XCTAssertNotNil(try FileManager.default.contentsOfDirectory(atPath: out.path).first { $0.hasPrefix("events.out.tfevents") })
        let lines = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("\"split\":\"train\"") }.count, 6)
        XCTAssertEqual(lines.filter { $0.contains("\"split\":\"validation\"") }.count, 2)
        XCTAssertLessThan(result.validation!.l1, before.l1, "six steps improve validation L1")
        // The checkpoint loads as a reconstruction model.
        let loaded = try Checkpoint.loadReconstruction(out.appendingPathComponent("last.safetensors"))
        XCTAssertEqual(loaded.config.encoderDim, 32)
    }

    func testResumeGivesTheSameWeightsAsAnUninterruptedRun() throws {
        let cache = try ToyCache.make(pairs: 6, validationFraction: 0.2)
        let ds = try PairedMelDataset(cache: cache)
        var cfg = toyConfig(steps: 6)
        cfg.validateEvery = 100
        let straight = try Phase1Trainer(config: cfg, dataset: ds, out: temporaryDirectory())
        straight.showProgress = false
        _ = try straight.run()

        let out = temporaryDirectory()
        let first = try Phase1Trainer(config: cfg, dataset: ds, out: out)
        for _ in 0..<3 { try first.trainStep() }
        try first.saveCheckpoint(first.runFolder.last)
        // A new run in the same folder would overwrite it: refused, naming the folder.
        XCTAssertThrowsError(try Phase1Trainer(config: cfg, dataset: ds, out: out)) {
            XCTAssertEqual(($0 as? InputError)?.path, out.path)
        }
        XCTAssertThrowsError(try Phase1Trainer(config: cfg, dataset: ds, out: temporaryDirectory(), resume: true)) {
            XCTAssertTrue("\($0)".contains("nothing to resume"), "\($0)")
        }
        let resumed = try Phase1Trainer(config: cfg, dataset: ds, out: out, resume: true)
        resumed.showProgress = false
        XCTAssertEqual(resumed.step, 3)
        _ = try resumed.run()
        XCTAssertEqual(resumed.step, 6)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters(), resumed.model.namedParameters()) {
            XCTAssertEqual(a.scalars, b.scalars, "\(name) differs after resume")
        }
    }

    func testStopRequestSavesAndEndsCleanly() throws {
        let cache = try ToyCache.make(pairs: 4)
        let ds = try PairedMelDataset(cache: cache)
        let stop = StopRequest()
        let out = temporaryDirectory()
        let trainer = try Phase1Trainer(config: toyConfig(steps: 50), dataset: ds, out: out, stop: stop)
        trainer.showProgress = false
        try trainer.trainStep()
        stop.request()
        let r = try trainer.run()
        XCTAssertTrue(r.interrupted)
        XCTAssertEqual(r.step, 1)
        let f = try SafeTensors.read(out.appendingPathComponent("last.safetensors"))
        XCTAssertEqual(f.metadata["step"], "1")
    }

    func testBadCachesFailBeforeTraining() throws {
        XCTAssertThrowsError(try PairedMelDataset(cache: URL(fileURLWithPath: "/nonexistent/cache"))) {
            XCTAssertEqual(($0 as? InputError)?.path, "/nonexistent/cache")
        }
        let empty = temporaryDirectory()
        XCTAssertThrowsError(try PairedMelDataset(cache: empty)) { XCTAssertTrue("\($0)".contains("prepare"), "\($0)") }
        try FileManager.default.createDirectory(at: empty.appendingPathComponent("features"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try PairedMelDataset(cache: empty)) { XCTAssertTrue("\($0)".contains("no complete pairs"), "\($0)") }
        // A target whose length disagrees with the raw mel.
        let cache = try ToyCache.make(pairs: 1)
        let url = CacheLayout(root: cache).alignedTarget("toy000")
        try NPY.write(NPYArray([Float](repeating: 0, count: 5 * 128), shape: [5, 128]), to: url)
        XCTAssertThrowsError(try PairedMelDataset(cache: cache)) {
            XCTAssertTrue("\($0)".contains(url.path) && "\($0)".contains("shape"), "\($0)")
        }
    }

    func testEvaluationPlotsThePairsWithTheMostKindsOfEdit() throws {
        let cache = try ToyCache.make(pairs: 12, validationFraction: 0.5)
        let ds = try PairedMelDataset(cache: cache)
        var c = toyConfig(steps: 1); c.maxSeqLen = 40
        let model = ReconstructionModel(c.model, seed: 2)
        let plots = temporaryDirectory().appendingPathComponent("plots")
        let report = try Phase1Report.make(model: model, dataset: ds, plots: plots, plotCount: 2)
        XCTAssertEqual(report.pairs, ds.validationIDs.count)
        XCTAssertGreaterThan(ds.validationIDs.count, 2)
        // The best window of each validation pair, by how many labels it holds.
        var best: [String: Int] = [:]
        for id in ds.validationIDs {
            let p = try ds.pair(id)
            best[id] = stride(from: 0, to: p.frames, by: 40).map { Set(p.labels[$0..<min(p.frames, $0 + 40)]).count }.max()
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: plots.path).sorted()
        XCTAssertEqual(written.count, 2)
        let expected = best.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(2).map { "\($0.key).png" }.sorted()
        XCTAssertEqual(written, expected)
    }

    func testStepsRescaleTheWholeSchedule() {
        let tiny = Phase1Config.preset("tiny")!
        for steps in [150, tiny.totalSteps, 6000] {
            let c = tiny.rescaled(toSteps: steps)
            XCTAssertEqual(c.totalSteps, steps)
            // Warmup and validation keep their share of the run.
            XCTAssertEqual(Double(c.warmupSteps) / Double(steps), Double(tiny.warmupSteps) / Double(tiny.totalSteps), accuracy: 0.01)
            XCTAssertEqual(steps / c.validateEvery, tiny.totalSteps / tiny.validateEvery)
            let s = WarmupCosineSchedule(baseRate: c.learningRate, warmupSteps: c.warmupSteps, totalSteps: c.totalSteps)
            XCTAssertEqual(s.rate(at: 0), 0)
            XCTAssertEqual(s.rate(at: c.warmupSteps), c.learningRate, "the peak is reached")
            XCTAssertEqual(s.rate(at: c.warmupSteps + (steps - c.warmupSteps) / 2), c.learningRate / 2, accuracy: c.learningRate * 0.01)
            XCTAssertLessThan(s.rate(at: steps - 1), c.learningRate * 0.001, "the cosine ends at the run's last step")
        }
        XCTAssertEqual(tiny.rescaled(toSteps: 3).warmupSteps, 1, "at least one warmup step")
        XCTAssertEqual(tiny.rescaled(toSteps: 3).validateEvery, 1)
    }

    func testTheUntrainedModelReturnsTheRawMel() {
        var c = toyConfig(steps: 1); c.dropout = 0
        var rng = RandomGenerator(seed: 4)
        let mel = Tensor.uniform([2, 30, 128], rng: &rng)
        let labels = (0..<60).map { [0, 1, 2, 3, 4, 5, 6][$0 % 7] }
        let identity = noGrad { ReconstructionModel(c.model, seed: 3, outputInitScale: 0)(mel, labels: labels) }
        XCTAssertEqual(identity.scalars, mel.scalars, "out_proj starts at 0 and alpha at 1")
        let pytorch = noGrad { ReconstructionModel(c.model, seed: 3)(mel, labels: labels) }
        XCTAssertGreaterThan(zip(pytorch.scalars, mel.scalars).map { abs($0 - $1) }.max()!, 0.1)
        XCTAssertEqual(Phase1Config().outputInitScale, 0, "training starts from the identity by default")
    }

    /// A CI-sized run of the tiny preset's recipe (its learning rate, its schedule rescaled to 300
    /// steps) on the toy cache. From the identity start, KEEP frames are right at step 0, lose
    /// it for a few dozen steps while the first large updates land, and are right again by
    /// step 90 while the edits are learned. From PyTorch's initialisation the same run leaves
    /// every KEEP frame off by about 0.17 through step 300 (0% preserved).
    func testKeepPreservationRisesAboveNinetyFivePercentWhileTheEditsAreLearned() throws {
        let cache = try ToyCache.make(pairs: 10, validationFraction: 0.3)
        let ds = try PairedMelDataset(cache: cache)
        var c = Phase1Config.preset("tiny")!
        c.encoderDim = 32; c.decoderDim = 32; c.nEncoderLayers = 1; c.nDecoderLayers = 1; c.nHeads = 2
        c.batchSize = 3; c.maxSeqLen = 64; c.seed = 5
        c = c.rescaled(toSteps: 300)
        c.validateEvery = 1000
        let trainer = try Phase1Trainer(config: c, dataset: ds, out: temporaryDirectory())
        trainer.showProgress = false
        let before = try trainer.validate()
        _ = try trainer.run()
        let after = try trainer.validate()
        XCTAssertGreaterThan(after.keepPreservation, 0.95)
        XCTAssertLessThan(after.l1, before.l1 * 0.6, "the edits are learned")
        for label in ["CUT", "FADE_IN", "EFFECT"] {
            XCTAssertLessThan(after.perLabelL1[label]!, before.perLabelL1[label]! * 0.95, label)
        }
        c.outputInitScale = 1
        let pytorch = try Phase1Trainer(config: c, dataset: ds, out: temporaryDirectory()).validate()
        XCTAssertLessThan(pytorch.keepPreservation, 0.2, "PyTorch's initialisation starts with KEEP frames off")
    }

    func testLossClampsOnlyTheFloor() {
        // An output stuck above 1 against a target of at most 1 must still get a gradient; an
        // output below the silence floor is 0 to the loss and gets none.
        let out = Tensor([1.5, -0.5, 0.5], shape: [3]); out.requiresGrad = true
        let seen = Phase1Config().lossInput(out)
        XCTAssertEqual(seen.scalars, [1.5, 0, 0.5])
        seen.sum().backward()
        XCTAssertEqual(out.grad!.scalars, [1, 0, 1])
        var raw = Phase1Config(); raw.clampOutput = false
        XCTAssertEqual(raw.lossInput(out).scalars, [1.5, -0.5, 0.5])
    }

    func testConfigFileOverridesAndRejectsTypos() throws {
        let dir = temporaryDirectory()
        let good = dir.appendingPathComponent("c.json")
        try Data(#"{"encoder_dim": 96, "n_heads": 4, "learning_rate": 0.002}"#.utf8).write(to: good)
        let c = try Phase1Config.load(good)
        XCTAssertEqual(c.encoderDim, 96)
        XCTAssertEqual(c.learningRate, 0.002)
        XCTAssertEqual(c.nEncoderLayers, 6, "missing fields keep the guide's defaults")
        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"encoder_dims": 96}"#.utf8).write(to: bad)
        XCTAssertThrowsError(try Phase1Config.load(bad)) { XCTAssertTrue("\($0)".contains("encoder_dims"), "\($0)") }
    }

    /// Sizes, counts and intervals that would trap later (zero heads divide by zero, a huge
    /// warmup overflows the rescaled schedule) are one-line errors on the file, both phases.
    func testConfigFileRefusesSizesThatWouldTrap() throws {
        let dir = temporaryDirectory()
        for (json, field) in [(#"{"n_heads": 0}"#, "n_heads must be positive"), (#"{"batch_size": -2}"#, "batch_size must be positive"),
                              (#"{"warmup_steps": -1}"#, "warmup_steps must not be negative")] {
            let f = dir.appendingPathComponent("p1.json")
            try Data(json.utf8).write(to: f)
            XCTAssertThrowsError(try Phase1Config.load(f)) {
                XCTAssertEqual(($0 as? InputError)?.path, f.path); XCTAssertTrue("\($0)".contains(field), "\($0)")
            }
        }
        for (json, field) in [(#"{"n_heads": 0}"#, "n_heads must be positive"), (#"{"minibatch_size": 0}"#, "minibatch_size must be positive")] {
            let f = dir.appendingPathComponent("p2.json")
            try Data(json.utf8).write(to: f)
            XCTAssertThrowsError(try Phase2Config.load(f)) {
                XCTAssertEqual(($0 as? InputError)?.path, f.path); XCTAssertTrue("\($0)".contains(field), "\($0)")
            }
        }
        var huge = Phase1Config.preset("tiny")!
        huge.warmupSteps = Int.max / 2
        XCTAssertEqual(huge.rescaled(toSteps: 1_000_000).warmupSteps, 1_000_000)
    }

    func testTensorBoardEventsOpenInTensorBoard() throws {
        guard let python = ProcessInfo.processInfo.environment["SUPER_EDITOR_PYTHON"] else {
            throw XCTSkip("SUPER_EDITOR_PYTHON is not set (make test sets it to a venv with tensorboard)")
        }
        let dir = temporaryDirectory()
        let w = try TensorBoardWriter(directory: dir)
        w.scalars(["train/loss": 1.5, "train/lr": 0.001], step: 1)
        w.scalars(["train/loss": 0.75], step: 2)
        w.flush()
        let script = """
        import sys
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        acc = EventAccumulator(sys.argv[1]); acc.Reload()
        print([(e.step, round(e.value, 4)) for e in acc.Scalars('train/loss')], acc.Scalars('train/lr')[0].value)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, dir.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if out.contains("No module named 'tensorboard'") { throw XCTSkip("tensorboard is not installed in \(python)") }
        XCTAssertEqual(p.terminationStatus, 0, out)
        XCTAssertTrue(out.hasPrefix("[(1, 1.5), (2, 0.75)] 0.0010"), out)
    }
}
