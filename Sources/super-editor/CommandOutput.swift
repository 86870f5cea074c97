import ArgumentParser
import AudioDSP
import Foundation
import SuperEditor
import DataParallel
import NN
import Tensor

/// Prints an error as one line on stderr and returns the exit code to throw.
private func failure(_ error: Error, file: String? = nil) -> ExitCode {
    FileHandle.standardError.write(Data(("error: " + InputError.line(for: error, file: file) + "\n").utf8))
    return ExitCode(1)
}

/// Prints a value as one line of JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    print(String(decoding: try enc.encode(value), as: UTF8.self))
}

/// `--json`: the value as one line of JSON; otherwise the text a person reads.
func printReport<T: Encodable>(_ value: T, json: Bool, text: () -> String) throws {
    if json { try printJSON(value) } else { print(text()) }
}

/// The last line of a training command.
func printTrainingEnd(interrupted: Bool, best: URL) {
    print(interrupted ? "interrupted; resume with --resume" : "done: best checkpoint \(best.path)")
}

/// Command-line values laid over a config, remembering the JSON names of the fields they set
/// (what `TrainingRun.effectiveConfig` honours or refuses on resume).
struct ConfigOverrides<Config> {
    var config: Config
    var fields: Set<String> = []

    init(_ config: Config) { self.config = config }

    mutating func set<T>(_ value: T?, _ field: String, _ path: WritableKeyPath<Config, T>) {
        guard let value else { return }
        config[keyPath: path] = value
        fields.insert(field)
    }
}

/// A subcommand whose failures print as one line naming the file (`failure`) and exit 1. It
/// does its work in `execute()`; the protocol's `run()` is the one error wrapper. Usage errors
/// (`ValidationError`) and exits a command chose stay as they are.
protocol CheckedCommand: ParsableCommand {
    /// The file an error is about when the error itself names none (the input, usually).
    var subject: String? { get }
    func execute() throws
}

extension CheckedCommand {
    var subject: String? { nil }

    func run() throws {
        do {
            try execute()
        } catch let e as ValidationError {
            throw e
        } catch let e as ExitCode {
            throw e
        } catch {
            throw failure(error, file: subject)
        }
    }
}

/// Under MPI, rank 0's communication per optimiser step: the gradient allreduce itself, and
/// the wait at its barrier for the slowest rank.
func printAllreduceCost(_ world: Collective, _ parameters: ParameterBuffer) {
    guard world.size > 1 else { return }
    let steps = parameters.allreduceCount, n = Double(max(steps, 1))
    printOnWriter(world, String(format: "allreduce of %d gradients: %.2f ms per step (waiting for the slowest rank %.1f ms), %d steps",
                                parameters.count, 1000 * parameters.allreduceSeconds / n, 1000 * parameters.waitSeconds / n, steps))
}

/// Prints on stdout when this process is the world's writer (rank 0, or a single process).
func printOnWriter(_ world: Collective, _ line: @autoclosure () -> String) {
    if world.isWriter { print(line()) }
}
