import Foundation
import Tensor

/// Data-parallel ranks run as threads of one process that take turns: exactly one rank computes
/// at a time, and a rank hands over only when it waits at a sum or a barrier. Each rank runs its
/// own trainer on its own share of every batch, as an `mpirun` rank does, and the sums add the
/// ranks' values in rank order.
///
/// Why it exists: float32 sums depend on their order, and the multi-scale STFT loss turns a
/// last-bit difference into a visibly different model within a few steps. One process summing
/// the whole batch therefore cannot reproduce an `mpirun -np 2` run to 1e-5, but one process
/// that sums in the ranks' order can, bit for bit (two ranks' allreduce is a single addition,
/// which does not depend on its order). So a cluster run can be checked, or resumed, on one
/// machine. With more than two ranks Open MPI's allreduce picks its own order, and bits may differ.
public final class InProcessWorld {
    public let size: Int
    /// Held by whichever rank computes; a waiting rank gives it up.
    private let turn = NSCondition()
    private var arrived = 0
    private var generation = 0
    /// Each waiting rank's buffer for the sum under way.
    private var slots: [UnsafeMutableRawPointer?]

    public init(size: Int) {
        precondition(size >= 1, "an in-process world needs a rank")
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    /// Runs `body` once per rank, each on its own thread, taking turns as described above, and
    /// returns when all have finished. The first error thrown (in rank order) is rethrown.
    public func run(_ body: @escaping @Sendable (InProcessRank) throws -> Void) throws {
        let done = DispatchGroup()
        let errors = ErrorSlots(count: size)
        for rank in (0..<size).map({ InProcessRank(rank: $0, world: self) }) {
            done.enter()
            let thread = Thread { [turn] in
                turn.lock()
                do { try body(rank) } catch { errors.set(rank.rank, error) }
                turn.unlock()
                done.leave()
            }
            thread.stackSize = 64 << 20
            thread.start()
        }
        done.wait()
        if let first = errors.first { throw first }
    }

    /// Called by a rank that holds the turn: leaves `deposit`'s values, and when every rank has
    /// come, the last one combines them (`combine`) for all; the others wait without the turn.
    fileprivate func meet(_ deposit: () -> Void, combine: () -> Void) {
        deposit()
        arrived += 1
        if arrived == size {
            combine()
            arrived = 0
            generation += 1
            turn.broadcast()
            return
        }
        let mine = generation
        // Whether ops record history is process-wide; each rank keeps its own across the wait.
        let recording = GradMode.isEnabled
        while generation == mine { turn.wait() }
        GradMode.isEnabled = recording
    }

    fileprivate func sum<T: FloatingPoint>(_ values: UnsafeMutablePointer<T>, count: Int, rank: Int) {
        meet({ slots[rank] = UnsafeMutableRawPointer(values) }) {
            Self.addInRankOrder(slots.map { $0!.assumingMemoryBound(to: T.self) }, count: count)
            for r in 0..<size { slots[r] = nil }
        }
    }

    fileprivate func barrier() { meet({}, combine: {}) }

    /// ((v₀ + v₁) + v₂) + … into every rank's buffer.
    static func addInRankOrder<T: FloatingPoint>(_ slots: [UnsafeMutablePointer<T>], count: Int) {
        let first = slots[0]
        for i in 0..<count {
            var s = first[i]
            for r in 1..<slots.count { s += slots[r][i] }
            for r in 0..<slots.count { slots[r][i] = s }
        }
    }
}

/// One rank of an `InProcessWorld`.
public final class InProcessRank: Collective, @unchecked Sendable {
    public let rank: Int
    let world: InProcessWorld
    public private(set) var communicationSeconds = 0.0

    init(rank: Int, world: InProcessWorld) {
        self.rank = rank
        self.world = world
    }

    public var size: Int { world.size }

    public func sum(_ values: UnsafeMutablePointer<Float>, count: Int) { timed { world.sum(values, count: count, rank: rank) } }
    public func sum(_ values: UnsafeMutablePointer<Double>, count: Int) { timed { world.sum(values, count: count, rank: rank) } }

    private func timed(_ body: () -> Void) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        communicationSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }

    public func barrier() { world.barrier() }

    /// The other ranks may be waiting for this one: the whole process ends.
    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }

    public func finish() {}
}

/// The error each rank ended with, if any.
private final class ErrorSlots: @unchecked Sendable {
    private var errors: [Error?]
    private let lock = NSLock()
    init(count: Int) { errors = Array(repeating: nil, count: count) }
    func set(_ rank: Int, _ error: Error) { lock.lock(); errors[rank] = error; lock.unlock() }
    var first: Error? { lock.lock(); defer { lock.unlock() }; return errors.compactMap { $0 }.first }
}
