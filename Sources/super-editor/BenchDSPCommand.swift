import ArgumentParser
import AudioDSP
import Foundation

/// `super-editor bench dsp`: registered as a subcommand of `bench`.
struct BenchDSP: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "dsp",
        abstract: "Time decoding+resampling, the mel spectrogram and beat tracking on one file (warm, median of runs)."
    )

    @Option(help: "Audio file to time (default: a generated 60-second 44.1 kHz stereo track).")
    var input: String?

    @Flag(help: "Print {\"seconds_of_audio\", \"load_s\", \"mel_s\", \"beats_s\"}.")
    var json = false

    @Option(help: "Timed runs per step, after one warm-up run.")
    var repeats: Int = 5

    @Option(help: "Also keep the generated default track at this path (to time librosa on the same file).")
    var saveInput: String?

    var subject: String? { input ?? saveInput }

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let url: URL
        var temporary: URL? = nil
        if let input {
            url = URL(fileURLWithPath: input)
        } else if let saveInput {
            url = URL(fileURLWithPath: saveInput)
            try DSPBench.writeSyntheticTrack(to: url)
        } else {
            let t = FileManager.default.temporaryDirectory.appendingPathComponent("super-editor-bench-\(getpid()).wav")
            try DSPBench.writeSyntheticTrack(to: t)
            url = t
            temporary = t
        }
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let r = try DSPBench.run(input: url, repeats: repeats)
        if json {
            try printJSON(r)
        } else {
            print(String(format: "%.1f s of audio: load %.4f s, mel %.4f s, beats %.4f s",
                         r.secondsOfAudio, r.loadSeconds, r.melSeconds, r.beatsSeconds))
            print("  breakdown: " + r.breakdown.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f s", $0.key, $0.value) }.joined(separator: ", "))
        }
    }
}
