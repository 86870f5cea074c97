import Foundation
import Tensor

/// A folder of synthetic pairs, as `synth` and the demo write it: pairs `0..<count` of one
/// seed, generated on all cores, each pair's files written atomically.
public enum SynthDataset {
    /// Writes the pairs under `directory` (`raw/`, `edited/`, `truth/`). With `keepExisting`,
    /// pairs whose truth file is already there are left alone, so a stopped run continues
    /// where it stopped. The first failure is rethrown after every pair has been tried.
    public static func write(count: Int, seed: UInt64, seconds: ClosedRange<Double>, style: EditingStyle = .guide, to directory: URL,
                             keepExisting: Bool = false, progress: PairProgress? = nil) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(directory.path, "cannot create output folder")
        }
        let failures = parallelMap(count) { i -> Error? in
            defer { progress?.step() }
            let truth = directory.appendingPathComponent("truth/\(SynthPair.id(index: i)).json")
            if keepExisting && FileManager.default.fileExists(atPath: truth.path) { return nil }
            do {
                try SynthPair.generate(seed: seed, index: i, seconds: seconds, style: style).write(to: directory)
                return nil
            } catch {
                return error
            }
        }
        if let first = failures.compactMap({ $0 }).first { throw first }
    }
}
