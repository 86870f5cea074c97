import ArgumentParser
import Foundation
import SuperEditor
import Tensor

struct PrepareCommand: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Build the training cache from raw/edited pairs (paired by file name): features, inferred labels, aligned targets."
    )

    @Option(help: "Folder of raw audio files.")
    var raw: String

    @Option(help: "Folder of edited audio files (same names as the raw ones).")
    var edited: String

    @Option(help: "Cache folder to write (created if missing; finished pairs are skipped on a re-run).")
    var out: String

    @Option(help: "Share of pairs held out for validation, stored in the cache for every command that reads it (default 0.1 for a new cache).")
    var validationFraction: Double?

    func execute() throws {
        let report: Prepare.Report
        var prepare = Prepare()
        prepare.validationFraction = validationFraction
        report = try prepare.run(raw: URL(fileURLWithPath: raw), edited: URL(fileURLWithPath: edited),
                                   cache: URL(fileURLWithPath: out))
        FileHandle.standardError.write(Data("prepare: \(report.summary)\n".utf8))
        if report.prepared.isEmpty && report.alreadyDone.isEmpty {
            throw InputError(raw, "no usable pairs (\(report.skipped.count) skipped)")
        }
    }
}
