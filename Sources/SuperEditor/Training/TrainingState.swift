import Foundation
import NN
import Tensor

/// What a run needs beyond the weights to continue exactly where it stopped: the optimiser's
/// moments and step, the model's dropout stream, the best validation score, and the config.
/// Saved beside the checkpoint as `NAME.state.safetensors`.
public struct TrainingState {
    public var step: Int
    public var bestScore: Double
    public var random: RandomGenerator
    public var configJSON: String
    /// Which optimiser the saved moments belong to: `main`, or `warm_start` for a Phase 2 run
    /// stopped inside its supervised warm start (which has its own AdamW).
    public var optimizerRole: String = "main"

    public init(step: Int, bestScore: Double, random: RandomGenerator, configJSON: String, optimizerRole: String = "main") {
        self.step = step
        self.bestScore = bestScore
        self.random = random
        self.configJSON = configJSON
        self.optimizerRole = optimizerRole
    }

    public static func url(for checkpoint: URL) -> URL {
        checkpoint.deletingPathExtension().appendingPathExtension("state.safetensors")
    }

    /// `digest` ties the state to the checkpoint it was saved with (see `CheckpointSet`).
    public static func save(_ s: TrainingState, optimizer: AdamW, digest: String, to url: URL) throws {
        let n = optimizer.parameters.count
        let m = Tensor(storage: optimizer.m, shape: [n]), v = Tensor(storage: optimizer.v, shape: [n])
        let rng = TrainingRun.json(s.random)
        try SafeTensors.write([("adam.m", m), ("adam.v", v)],
                              metadata: ["kind": "training_state", "step": String(s.step), "adam_step": String(optimizer.step),
                                         "best_score": String(s.bestScore), "rng": rng, "config": s.configJSON,
                                         "optimizer": s.optimizerRole, CheckpointSet.digestKey: digest],
                              to: url)
    }

    /// The state as a companion of the checkpoint `url` in a `CheckpointSet` save.
    public static func companion(_ s: TrainingState, optimizer: AdamW, of url: URL) -> CheckpointSet.Companion {
        CheckpointSet.Companion(url: Self.url(for: url)) { to, digest in try save(s, optimizer: optimizer, digest: digest, to: to) }
    }

    /// Reads the state saved with `checkpoint` and restores the optimiser from it.
    public static func load(for checkpoint: URL, into optimizer: AdamW) throws -> TrainingState {
        try load(for: checkpoint) { _ in optimizer }
    }

    /// Reads the state saved with `checkpoint` and restores the optimiser `optimizer(role)`
    /// returns for the role it was saved from.
    public static func load(for checkpoint: URL, into optimizer: (String) -> AdamW) throws -> TrainingState {
        let (url, f) = try CheckpointSet.companion(Self.url(for: checkpoint), of: checkpoint, what: "training state")
        let role = f.metadata["optimizer"] ?? "main"
        let optimizer = optimizer(role)
        guard f.metadata["kind"] == "training_state", let step = f.metadata["step"].flatMap(Int.init),
              let adamStep = f.metadata["adam_step"].flatMap(Int.init),
              let best = f.metadata["best_score"].flatMap(Double.init), let rngText = f.metadata["rng"],
              let rng = try? JSONDecoder().decode(RandomGenerator.self, from: Data(rngText.utf8)),
              let config = f.metadata["config"] else {
            throw InputError(url.path, "not a training state file")
        }
        guard let m = f.tensors["adam.m"], let v = f.tensors["adam.v"], m.count == optimizer.parameters.count, v.count == m.count else {
            throw InputError(url.path, "optimiser state does not fit the model (\(f.tensors["adam.m"]?.count ?? 0) vs \(optimizer.parameters.count) parameters)")
        }
        optimizer.restore(step: adamStep, m: m.data, v: v.data)
        return TrainingState(step: step, bestScore: best, random: rng, configJSON: config, optimizerRole: role)
    }
}

/// Ctrl-C during training: the first press asks the loop to save and stop; the loop polls
/// `requested` once a step.
public final class StopRequest: @unchecked Sendable {
    public private(set) var requested = false
    private var source: DispatchSourceSignal?

    public init() {}

    public func request() { requested = true }

    /// A request that Ctrl-C sets, for a command line's training run.
    public static func onInterrupt() -> StopRequest {
        let stop = StopRequest()
        stop.installSignalHandler()
        return stop
    }

    /// Catches SIGINT for the life of this object.
    public func installSignalHandler() {
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        s.setEventHandler { [weak self] in
            self?.requested = true
            FileHandle.standardError.write(Data("\ninterrupt: saving a checkpoint, then stopping (press again to abort)\n".utf8))
            signal(SIGINT, SIG_DFL)
        }
        s.resume()
        source = s
    }

    deinit {
        source?.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
