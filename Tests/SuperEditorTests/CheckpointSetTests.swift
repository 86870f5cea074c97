import Foundation
import XCTest
import NN
import Tensor
@testable import SuperEditor

/// A save of a checkpoint with its companions, cut off at each of its steps as a kill would
/// cut it: the set a resume picks always belongs together, and an interrupted save is never
/// taken for a finished one.
final class CheckpointSetTests: XCTestCase {
    func weights(_ v: Float) -> [(String, Tensor)] { [("w", Tensor([v, v + 1], shape: [2]))] }

    /// Writes checkpoint `v` with a companion recording `v`, as a finished save.
    func save(_ v: Float, in dir: URL) throws {
        try CheckpointSet.save(dir.appendingPathComponent("last.safetensors"),
                               writeCheckpoint: { try SafeTensors.write(self.weights(v), to: $0) },
                               companions: [companion(v, in: dir)])
    }

    func companion(_ v: Float, in dir: URL) -> CheckpointSet.Companion {
        CheckpointSet.Companion(url: dir.appendingPathComponent("last.state.safetensors")) { to, digest in
            try SafeTensors.write(self.weights(v), metadata: [CheckpointSet.digestKey: digest, "v": "\(v)"], to: to)
        }
    }

    func companionValue(in dir: URL) throws -> String? {
        let last = dir.appendingPathComponent("last.safetensors")
        return try CheckpointSet.companion(dir.appendingPathComponent("last.state.safetensors"), of: last, what: "state").file.metadata["v"]
    }

    func testEveryCutOfASaveLeavesAMatchingSet() throws {
        let dir = temporaryDirectory()
        try save(1, in: dir)
        XCTAssertEqual(try companionValue(in: dir), "1.0")
        let last = dir.appendingPathComponent("last.safetensors")
        let state = dir.appendingPathComponent("last.state.safetensors")

        // Cut after steps 1–2: checkpoint 2 staged and its companion pending, not yet renamed.
        let staged = AtomicFile.temporaryURL(beside: last)
        try SafeTensors.write(weights(2), to: staged)
        try companion(2, in: dir).write(CheckpointSet.pendingURL(state), try CheckpointSet.digest(of: staged, as: "last.safetensors"))
        XCTAssertEqual(try companionValue(in: dir), "1.0", "the old checkpoint keeps its old state")
        XCTAssertEqual(try SafeTensors.read(last).tensors["w"]!.data[0], 1)

        // Cut after step 3: checkpoint 2 in place, its state still pending.
        try AtomicFile.commit(staged, to: last)
        XCTAssertEqual(try companionValue(in: dir), "2.0", "the new checkpoint finds its pending state")

        // A restart finishes the save: the pending state takes its name, and nothing is left over.
        try TrainingRun(dir).checkStart(resume: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: CheckpointSet.pendingURL(state).path))
        XCTAssertEqual(try SafeTensors.read(state).metadata["v"], "2.0")
        XCTAssertEqual(try companionValue(in: dir), "2.0")
    }

    func testAPendingCompanionOfACheckpointNeverRenamedIsDropped() throws {
        let dir = temporaryDirectory()
        try save(1, in: dir)
        let last = dir.appendingPathComponent("last.safetensors")
        let state = dir.appendingPathComponent("last.state.safetensors")
        let staged = AtomicFile.temporaryURL(beside: last)
        try SafeTensors.write(weights(2), to: staged)
        try companion(2, in: dir).write(CheckpointSet.pendingURL(state), try CheckpointSet.digest(of: staged, as: "last.safetensors"))
        try FileManager.default.removeItem(at: staged)   // the killed writer's staged file, as a restart would find it gone
        try TrainingRun(dir).checkStart(resume: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: CheckpointSet.pendingURL(state).path))
        XCTAssertEqual(try companionValue(in: dir), "1.0")
    }

    /// `best` and `last` saved at the same step hold the same bytes: a pending state of `last`
    /// whose checkpoint never got renamed must not be taken for `best`'s (found by kill_soak).
    func testAPendingStateOfLastIsNotTakenForBestsAtTheSameStep() throws {
        let dir = temporaryDirectory()
        try save(1, in: dir)
        let best = dir.appendingPathComponent("best.safetensors")
        try CheckpointSet.save(best, writeCheckpoint: { try SafeTensors.write(self.weights(2), to: $0) },
                               companions: [CheckpointSet.Companion(url: TrainingState.url(for: best)) { to, digest in
                                   try SafeTensors.write(self.weights(2), metadata: [CheckpointSet.digestKey: digest, "v": "2.0"], to: to)
                               }])
        // `last` at the same step: staged and its state pending, then the kill.
        let last = dir.appendingPathComponent("last.safetensors")
        let staged = AtomicFile.temporaryURL(beside: last)
        try SafeTensors.write(weights(2), to: staged)
        XCTAssertEqual(try Data(contentsOf: staged), try Data(contentsOf: best), "the same bytes as best")
        try companion(2, in: dir).write(CheckpointSet.pendingURL(dir.appendingPathComponent("last.state.safetensors")),
                                        try CheckpointSet.digest(of: staged, as: "last.safetensors"))
        try FileManager.default.removeItem(at: staged)
        try TrainingRun(dir).checkStart(resume: true)
        XCTAssertEqual(try companionValue(in: dir), "1.0", "last keeps the state saved with it")
    }

    func testAStateFromAnotherSaveIsRefusedByName() throws {
        let dir = temporaryDirectory()
        try save(1, in: dir)
        let state = dir.appendingPathComponent("last.state.safetensors")
        let kept = try Data(contentsOf: state)
        try save(2, in: dir)
        try kept.write(to: state)   // a state copied in from another save
        XCTAssertThrowsError(try companionValue(in: dir)) {
            XCTAssertEqual(($0 as? InputError)?.path, state.path)
            XCTAssertTrue("\($0)".contains("belongs to another save"), "\($0)")
        }
        try FileManager.default.removeItem(at: state)
        XCTAssertThrowsError(try companionValue(in: dir)) { XCTAssertTrue("\($0)".contains("missing"), "\($0)") }
    }

    func testStaleTemporariesOfDeadWritersAreRemovedAndLiveOnesKept() throws {
        let dir = temporaryDirectory()
        let target = dir.appendingPathComponent("a.npy")
        // A pid that is not running: past the kernel's pid_max default.
        let dead = dir.appendingPathComponent(".a.npy.tmp-4194305-7")
        let live = dir.appendingPathComponent(".a.npy.tmp-\(getpid())-7")
        let other = dir.appendingPathComponent(".notes.txt")
        for u in [dead, live, other] { try Data([1]).write(to: u) }
        XCTAssertEqual(AtomicFile.removeStaleTemporaries(in: dir, of: target), 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live.path), "this process may still be writing it")
        XCTAssertTrue(FileManager.default.fileExists(atPath: other.path), "not a temporary of ours")
    }

    func testAResumedLogDropsWhatTheKilledRunWroteAfterItsCheckpoint() throws {
        let url = temporaryDirectory().appendingPathComponent("metrics.jsonl")
        let lines = (1...5).map { "{\"split\":\"train\",\"step\":\($0)}" }.joined(separator: "\n") + "\n{\"split\":\"tr"
        try Data(lines.utf8).write(to: url)
        let log = try MetricsLog(url: url, keeping: MetricsLog.upTo("step", 3))
        log.append(["split": "train", "step": 4])
        let steps = try String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["step"] as! Int
        }
        XCTAssertEqual(steps, [1, 2, 3, 4], "lines past the checkpoint and the half-written last line are gone")
        _ = try MetricsLog(url: url, keeping: nil)
        XCTAssertEqual(try Data(contentsOf: url).count, 0, "a new run starts its log empty")
    }

    func testPolicyLogKeepsUpdatesBeforeTheResumedOne() {
        var c = Phase2Config.frameCPUDefault
        c.warmStart = .supervised; c.warmStartSteps = 10
        let rec: (String, String, Int) -> [String: Any] = { split, key, v in ["split": split, key: v] }
        let afterWarm = PolicyTraining.metricsKept(c, update: 2, warmStep: 10)
        XCTAssertTrue(afterWarm(rec("warm_start", "warm_step", 10)))
        XCTAssertTrue(afterWarm(rec("train", "update", 1)))
        XCTAssertFalse(afterWarm(rec("train", "update", 2)), "update 2's train line comes after the checkpoint at update 2")
        XCTAssertTrue(afterWarm(rec("validation", "update", 2)))
        XCTAssertFalse(afterWarm(rec("validation", "update", 3)))
        let inWarm = PolicyTraining.metricsKept(c, update: 0, warmStep: 4)
        XCTAssertTrue(inWarm(rec("warm_start", "warm_step", 4)))
        XCTAssertFalse(inWarm(rec("warm_start", "warm_step", 5)))
        XCTAssertFalse(inWarm(rec("validation", "update", 0)), "the validation after the warm start had not been saved")
    }
}
