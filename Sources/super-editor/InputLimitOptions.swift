import ArgumentParser
import Tensor

/// `--max-audio-minutes` and `--max-beats`, for every command that reads audio or beats: the
/// process's `InputLimits`, which a file over them is refused by in one line naming the flag.
struct InputLimitOptions: ParsableArguments {
    @Option(help: "Refuse audio files longer than this many minutes.")
    var maxAudioMinutes: Double = InputLimits().maxAudioMinutes

    @Option(help: "Refuse labels files, beat arrays and beat tracks of more beats than this.")
    var maxBeats: Int = InputLimits().maxBeats

    func validate() throws {
        guard maxAudioMinutes > 0, maxAudioMinutes.isFinite else { throw ValidationError("--max-audio-minutes must be positive") }
        guard maxBeats > 0 else { throw ValidationError("--max-beats must be positive") }
    }

    /// Makes these the limits of this process.
    func apply() {
        InputLimits.current.maxAudioMinutes = maxAudioMinutes
        InputLimits.current.maxBeats = maxBeats
    }
}
