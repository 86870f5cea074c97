import Dispatch
import Foundation
import SuperEditor

/// Where the studio's heavy work runs: analysis and rendering go to one serial queue, off the
/// server's event loops, so the models (which are not thread-safe) are used by one job at a time
/// and a request that only reads state is answered while a render is under way.
public final class StudioWorker: @unchecked Sendable {
    /// The edit policy and reconstruction model every session uses; touched only on `queue`.
    let policy: any PolicyModel
    let reconstruction: ReconstructionModel
    private let queue = DispatchQueue(label: "super-editor.studio.worker", qos: .userInitiated)

    public init(policy: any PolicyModel, reconstruction: ReconstructionModel) {
        self.policy = policy
        self.reconstruction = reconstruction
    }

    /// The shipped models, or the checkpoints at the given paths.
    public convenience init(policyPath: String?, reconstructionPath: String?) throws {
        let pol = try policyPath.map { try Checkpoint.loadPolicy(URL(fileURLWithPath: $0)) } ?? PretrainedModels.policy()
        let rec = try reconstructionPath.map { try Checkpoint.loadReconstruction(URL(fileURLWithPath: $0)) } ?? PretrainedModels.reconstruction()
        self.init(policy: pol, reconstruction: rec)
    }

    /// Runs `body` on the worker queue and returns its result to the awaiting task.
    func run<T>(_ body: @escaping (StudioWorker) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            queue.async {
                do { c.resume(returning: try body(self)) } catch { c.resume(throwing: error) }
            }
        }
    }
}

/// A value handed between the worker queue and an actor. The pipeline's results are immutable
/// once made (plain arrays and structs), so passing them across is safe.
struct Handoff<T>: @unchecked Sendable {
    let value: T
}
