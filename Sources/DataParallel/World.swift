import Foundation
import Tensor

/// The processes this one trains with: the `mpirun` world when the process was started by an
/// MPI launcher, otherwise `SingleProcess`.
public enum World {
    /// Whether this binary was built with OpenMPI (`libopenmpi-dev` present at build time).
    public static var mpiAvailable: Bool {
        #if canImport(CMPI)
        true
        #else
        false
        #endif
    }

    /// The environment variables by which OpenMPI's, MPICH's and PMIx's launchers tell a
    /// process its world size.
    static let sizeVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"]

    /// The world size the launcher announced, if any.
    public static func launchedSize(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        for key in sizeVariables { if let v = environment[key].flatMap(Int.init), v >= 1 { return v } }
        return nil
    }

    nonisolated(unsafe) private static var current: Collective?

    /// The world of this process, detected once: MPI under a launcher, else one process. A
    /// binary built without MPI refuses to run under a launcher of more than one process (the
    /// ranks would each train the whole model into the same folder).
    public static func detect() throws -> Collective {
        if let current { return current }
        let world: Collective
        if let n = launchedSize() {
            #if canImport(CMPI)
            world = MPICollective()
            #else
            if n > 1 {
                throw InputError("mpirun", "started as one of \(n) MPI ranks, but this super-editor was built without MPI "
                                 + "(install libopenmpi-dev and rebuild)")
            }
            world = SingleProcess()
            #endif
        } else {
            world = SingleProcess()
        }
        current = world
        return world
    }
}
