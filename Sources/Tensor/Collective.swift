import Foundation

/// The processes that train one model together (data parallelism), seen from one of them:
/// its rank, how many there are, and an in-place sum over all of them. One process is
/// `SingleProcess`; `DataParallel.MPICollective` is a world of `mpirun` ranks.
public protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `count` values on every rank by their sum over the ranks (an allreduce).
    func sum(_ values: UnsafeMutablePointer<Float>, count: Int)
    func sum(_ values: UnsafeMutablePointer<Double>, count: Int)
    /// Ends every rank's process with `code` after printing `message` (a rank that cannot go on
    /// must not leave the others waiting in the next sum).
    func abort(_ message: String, code: Int32) -> Never
    /// Waits until every rank has come here.
    func barrier()
    /// Ends this rank's part in the world (MPI_Finalize); nothing after it communicates.
    func finish()
    /// Seconds this rank has spent in sums so far.
    var communicationSeconds: Double { get }
}

extension Collective {
    /// Rank 0 writes checkpoints, logs and plots; the others write nothing.
    public var isWriter: Bool { rank == 0 }

    /// The sum over the ranks of one value per rank.
    public func sum(_ value: Double) -> Double {
        var v = value
        sum(&v, count: 1)
        return v
    }

    /// The sums over the ranks of a few values per rank.
    public func sum(_ values: [Double]) -> [Double] {
        guard size > 1 else { return values }
        var v = values
        v.withUnsafeMutableBufferPointer { sum($0.baseAddress!, count: $0.count) }
        return v
    }

    /// Whether any rank says yes (a stop request, for instance), so that all stop together.
    public func any(_ flag: Bool) -> Bool { size > 1 ? sum(flag ? 1 : 0) > 0 : flag }
}

/// One process: every sum is the value itself.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: UnsafeMutablePointer<Float>, count: Int) {}
    public func sum(_ values: UnsafeMutablePointer<Double>, count: Int) {}
    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
    public func finish() {}
    public func barrier() {}
    public var communicationSeconds: Double { 0 }
}

/// Which rows of a global batch one rank holds: rows `offset ..< offset + rows` of `total`.
/// Ops that draw random numbers per element (dropout) draw them for the whole global batch
/// and use this rank's share, so that a split batch is dropped exactly as the whole one.
public struct BatchShard: Equatable, Sendable {
    public let offset: Int
    public let rows: Int
    public let total: Int

    public init(offset: Int, rows: Int, total: Int) {
        precondition(offset >= 0 && rows >= 0 && offset + rows <= total, "shard \(offset)+\(rows) of \(total)")
        self.offset = offset
        self.rows = rows
        self.total = total
    }

    /// Rank `rank` of `size`'s contiguous share of `total` rows: the first `total % size`
    /// ranks take one row more.
    public static func split(_ total: Int, rank: Int, size: Int) -> BatchShard {
        let base = total / size, extra = total % size
        return BatchShard(offset: rank * base + min(rank, extra), rows: base + (rank < extra ? 1 : 0), total: total)
    }

    public var range: Range<Int> { offset..<(offset + rows) }
    public var isWhole: Bool { rows == total }

    /// For a batch-major tensor of `count` elements holding this shard's rows: the elements per
    /// global row, and the elements of the global batch before and after this shard.
    func elements(count: Int) -> (perRow: Int, before: Int, after: Int) {
        precondition(rows > 0 && count % rows == 0, "a tensor of \(count) elements does not split into \(rows) rows")
        let perRow = count / rows
        return (perRow, offset * perRow, (total - offset - rows) * perRow)
    }
}

extension Tensor {
    /// The sum of this scalar over all ranks, on every rank. Its gradient is the incoming one:
    /// each rank sends back through its own share, and the gradients' sum over the ranks (one
    /// allreduce per step) is then the gradient of the whole batch's loss.
    public func summed(over group: Collective) -> Tensor {
        guard group.size > 1 else { return self }
        precondition(count == 1, "summed(over:) takes a scalar, got \(shape)")
        let out = Tensor(scalar: data[0])
        group.sum(out.data, count: 1)
        return out.record("allreduce_sum", [self]) { [self] g in self.accumulateGrad(Tensor(scalar: g.data[0])) }
    }
}
