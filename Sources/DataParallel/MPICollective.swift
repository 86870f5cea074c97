#if canImport(CMPI)
import CMPI
import Foundation
import Tensor

/// The `mpirun` world as a `Collective`: `MPI_Allreduce` (in place, sum) over
/// `MPI_COMM_WORLD`. Errors are fatal (MPI's default handler), and a rank that ends abnormally
/// makes `mpirun` end the others, so no rank waits forever on a dead one.
public final class MPICollective: Collective {
    public let rank: Int
    public let size: Int
    /// Seconds spent in allreduce calls so far (the communication cost of a step).
    public private(set) var allreduceSeconds = 0.0
    private var finished = false

    /// Initialises MPI once per process.
    public init() {
        MPI_Init(nil, nil)
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(se_mpi_comm_world(), &r)
        MPI_Comm_size(se_mpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    /// MPI counts are 32-bit: long buffers go in chunks.
    static let chunk = 1 << 30

    public func sum(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let t0 = MPI_Wtime()
        var done = 0
        while done < count {
            let n = min(Self.chunk, count - done)
            se_mpi_allreduce_sum_float(values + done, Int32(n))
            done += n
        }
        allreduceSeconds += MPI_Wtime() - t0
    }

    public func sum(_ values: UnsafeMutablePointer<Double>, count: Int) {
        let t0 = MPI_Wtime()
        var done = 0
        while done < count {
            let n = min(Self.chunk, count - done)
            se_mpi_allreduce_sum_double(values + done, Int32(n))
            done += n
        }
        allreduceSeconds += MPI_Wtime() - t0
    }

    public var communicationSeconds: Double { allreduceSeconds }

    public func barrier() { MPI_Barrier(se_mpi_comm_world()) }

    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        MPI_Abort(se_mpi_comm_world(), code)
        exit(code)
    }

    public func finish() {
        guard !finished else { return }
        finished = true
        MPI_Finalize()
    }
}
#endif
