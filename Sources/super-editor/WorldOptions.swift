import ArgumentParser
import DataParallel
import Tensor

/// `--in-process-ranks`, for the training commands: which world a run trains in when no MPI
/// launcher started it.
struct WorldOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Train as N data-parallel ranks that take turns in this one process, summing in rank order: "
                               + "with N = 2 the same weights, bit for bit, as `mpirun -np 2` with the same thread count "
                               + "(checks a multi-rank run, or resumes one exactly, on one machine).", valueName: "N"))
    var inProcessRanks: Int?

    func validate() throws {
        if let n = inProcessRanks, n < 1 { throw ValidationError("--in-process-ranks must be at least 1, got \(n)") }
    }

    /// Runs a training command in its world: the `mpirun` ranks, `--in-process-ranks` ranks, or
    /// this process alone. Only rank 0 prints, and an error on any rank ends every rank at once
    /// after its one-line message, so that none waits on the dead one.
    func run(_ body: @escaping (Collective) throws -> Void) throws {
        let launched = try World.detect()
        guard let n = inProcessRanks, n > 1 else { return try inWorld(launched, body) }
        if launched.size > 1 {
            throw ValidationError("--in-process-ranks runs ranks in one process; under mpirun leave it out")
        }
        let task = UncheckedBody(body: body)
        try InProcessWorld(size: n).run { rank in try inWorld(rank, task.body) }
    }
}

private struct UncheckedBody: @unchecked Sendable {
    let body: (Collective) throws -> Void
}

/// `body` in `world`; see `WorldOptions.run`.
private func inWorld(_ world: Collective, _ body: (Collective) throws -> Void) throws {
    do {
        try body(world)
    } catch let e as ValidationError where world.size > 1 {
        world.abort("error: rank \(world.rank): \(e.message)", code: 64)
    } catch where world.size > 1 {
        world.abort("error: rank \(world.rank): " + InputError.line(for: error), code: 1)
    } catch {
        world.finish()
        throw error
    }
    world.finish()
}
