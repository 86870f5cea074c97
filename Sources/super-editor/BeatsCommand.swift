import ArgumentParser
import AudioDSP
import Foundation

struct BeatsOutput: Encodable {
    var tempo: Double
    var beat_times: [Double]
}

struct BeatsCommand: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "beats",
        abstract: "Print the tempo and beat times of an audio file (librosa.beat.beat_track)."
    )

    @Argument(help: "Audio file (WAV, FLAC, OGG, MP3).")
    var audio: String

    @Flag(help: "Print {\"tempo\": BPM, \"beat_times\": [seconds...]}.")
    var json = false

    var subject: String? { audio }

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let beats: Beats
        beats = try FeatureExtractor().beats(URL(fileURLWithPath: audio))
        if json {
            try printJSON(BeatsOutput(tempo: beats.tempo, beat_times: beats.times))
        } else {
            print(String(format: "tempo %.2f BPM, %d beats", beats.tempo, beats.times.count))
            for t in beats.times { print(String(format: "%.3f", t)) }
        }
    }
}
