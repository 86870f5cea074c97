import ArgumentParser
import AudioDSP
import Foundation
import SuperEditor

/// Prints an error as one line on stderr and returns the exit code to throw.
func failure(_ error: Error, file: String? = nil) -> ExitCode {
    let line: String
    switch error {
    case let e as AudioError: line = e.description
    case let e as NPYError: line = e.description
    default:
        let text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        line = (file.map { "\($0): " } ?? "") + text.replacingOccurrences(of: "\n", with: " ")
    }
    FileHandle.standardError.write(Data(("error: " + line + "\n").utf8))
    return ExitCode(1)
}

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write the guide's cached features for one audio file: mel (T, 128), beat_times, db_min, db_max, sample_rate, hop_length."
    )

    @Argument(help: "Audio file (WAV, FLAC, OGG, MP3).")
    var audio: String

    @Option(name: [.customLong("out"), .customShort("o")], help: "Output .npz file (written atomically).")
    var out: String

    func run() throws {
        do {
            let f = try FeatureExtractor().extract(URL(fileURLWithPath: audio))
            try NPZ.write(CacheLayout.featureArrays(f), to: URL(fileURLWithPath: out))
        } catch {
            throw failure(error, file: audio)
        }
    }
}
