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

    @Flag(help: "Also train on pairs whose edit the label vocabulary does not explain (another take, a remix); by default they are skipped.")
    var keepUnexplained = false

    @Option(help: "Prepare only part K of N (K/N, for example 2/8), to split a corpus over machines; each part writes manifest.shard-K-of-N.json, and a run without --shard on the merged cache writes manifest.json.")
    var shard: String?

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let report: Prepare.Report
        var prepare = Prepare()
        prepare.validationFraction = validationFraction
        prepare.keepUnexplained = keepUnexplained
        prepare.shard = try shard.map { try PrepareShard(parsing: $0) }
        report = try prepare.run(raw: URL(fileURLWithPath: raw), edited: URL(fileURLWithPath: edited),
                                   cache: URL(fileURLWithPath: out))
        if !report.alignment.isEmpty {
            print("pair                              matched  median cost  jumps")
            for id in report.alignment.keys.sorted() {
                let q = report.alignment[id]!
                print(String(format: "%@  %6.1f%%  %8.1f dB  %5d%@", id.padding(toLength: max(30, id.count), withPad: " ", startingAt: 0),
                             100 * q.matched, q.medianCost, q.jumps, q.matched < prepare.inference.minimumMatched ? "  (not explained, kept)" : ""))
            }
        }
        FileHandle.standardError.write(Data("prepare: \(report.summary)\n".utf8))
        if report.prepared.isEmpty && report.alreadyDone.isEmpty {
            throw InputError(raw, "no usable pairs (\(report.skipped.count) skipped)")
        }
    }
}
