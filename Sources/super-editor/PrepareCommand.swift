import ArgumentParser
import Foundation
import SuperEditor

struct PrepareCommand: ParsableCommand {
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

    func run() throws {
        let report: Prepare.Report
        do {
            report = try Prepare().run(raw: URL(fileURLWithPath: raw), edited: URL(fileURLWithPath: edited),
                                       cache: URL(fileURLWithPath: out))
        } catch {
            throw failure(error)
        }
        FileHandle.standardError.write(Data("prepare: \(report.summary)\n".utf8))
        if report.prepared.isEmpty && report.alreadyDone.isEmpty {
            throw failure(ValidationError("\(raw): no usable pairs (\(report.skipped.count) skipped)"))
        }
    }
}
