import ArgumentParser
import Foundation
import SuperEditor
import Tensor

struct Synth: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic (raw, edited) music pairs with their true labels: raw/{id}.wav, edited/{id}.wav, truth/{id}.json."
    )

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Number of pairs.")
    var count: Int

    @Option(help: "Seed; the same seed gives byte-identical files.")
    var seed: UInt64 = 0

    @Option(help: "Track length range in seconds, e.g. 20-45 (or one number). Lengths are approximate: whole bars, and at least three sections (about 20 s at slow tempi).")
    var seconds: String = "20-45"

    @Option(help: "Editing style: guide (the guide's: cut the defects, fade the first and last bars, crossfade sections, low-pass the breakdown, loop the strongest bar) or cleanup (cut the defects and dead air, fade two beats in and out).")
    var style: String = "guide"

    /// `--seconds` as a range, or nil when it is not LO-HI (or one number) within 8…600.
    var secondsRange: ClosedRange<Double>? {
        let parts = seconds.split(separator: "-").compactMap { Double($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 >= 8 && $0 <= 600 }), parts.first! <= parts.last! else { return nil }
        return parts.first!...parts.last!
    }

    var subject: String? { out }

    func execute() throws {
        // Argument errors as one line, like every other bad input of this command.
        guard let secondsRange else {
            throw InputError("--seconds", "expected LO-HI or one number, between 8 and 600 (got '\(seconds)')")
        }
        guard count > 0 else { throw InputError("--count", "must be positive (got \(count))") }
        guard let editing = EditingStyle(rawValue: style) else {
            throw InputError("--style", "unknown style '\(style)' (expected guide or cleanup)")
        }
        try SynthDataset.write(count: count, seed: seed, seconds: secondsRange, style: editing, to: URL(fileURLWithPath: out),
                               progress: PairProgress(total: count, label: "synth"))
    }
}
