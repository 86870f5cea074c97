import ArgumentParser
import Foundation
import SuperEditor
import Tensor

struct StylePairsCommand: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "style-pairs",
        abstract: "Make (raw, edited) pairs from real recordings in one editing style, with their true labels, in the synth layout.",
        discussion: """
        dropouts (default): silent dropouts and noise bursts are put in, then the edit cuts each dropout, loops the beat before it, low-passes each burst (EFFECT) and fades two beats in and out.
        cleanup: a careful engineer's clean-up of a raw take: dropouts, noise bursts, clicks, wrong-level beats, a count-in and dead air are put in, and the edit cuts every one and fades two beats in and out (the shipped model's style, MODEL_CARD.md).
        engineer, radio, gentle: the recording is edited by a script whose ranges fall anywhere, not on beats: fades of several shapes and lengths, cuts, loops and low-pass filters (see EditScriptStyle).
        """
    )

    @Argument(help: "Recordings (any format libsndfile reads: WAV, FLAC, Ogg).") var recordings: [String]
    @Option(help: "Output folder (raw/, edited/, truth/).") var out: String
    @Option(help: "Excerpts per recording.") var perRecording = 4
    @Option(help: "Seed for excerpts and defects.") var seed: UInt64 = 0
    @Option(help: "Excerpt length range in seconds, LO-HI.") var seconds: String = "20-30"
    @Option(help: "Editing style: \(StylePairs.Style.names.joined(separator: ", ")).") var style = "dropouts"

    var subject: String? { out }

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let parts = seconds.split(separator: "-").compactMap { Double($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 >= 8 && $0 <= 600 }), parts.first! <= parts.last! else {
            throw InputError("--seconds", "expected LO-HI or one number, between 8 and 600 (got '\(seconds)')")
        }
        guard perRecording > 0 else { throw InputError("--per-recording", "must be positive (got \(perRecording))") }
        guard let chosen = StylePairs.Style(name: style) else {
            throw InputError("--style", "unknown style '\(style)' (expected one of \(StylePairs.Style.names.joined(separator: ", ")))")
        }
        var maker = StylePairs()
        maker.style = chosen
        maker.seconds = parts.first!...parts.last!
        let ids = try maker.write(recordings: recordings.map { URL(fileURLWithPath: $0) }, perRecording: perRecording, seed: seed,
                                  to: URL(fileURLWithPath: out))
        print("wrote \(ids.count) pairs to \(out)")
    }
}
