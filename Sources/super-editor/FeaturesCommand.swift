import ArgumentParser
import AudioDSP
import Foundation
import SuperEditor

struct Features: CheckedCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write the guide's cached features for one audio file: mel (T, 128), beat_times, db_min, db_max, sample_rate, hop_length."
    )

    @Argument(help: "Audio file (WAV, FLAC, OGG, MP3).")
    var audio: String

    @Option(name: [.customLong("out"), .customShort("o")], help: "Output .npz file (written atomically).")
    var out: String

    var subject: String? { audio }

    @OptionGroup var limits: InputLimitOptions

    func execute() throws {
        limits.apply()
        let f = try FeatureExtractor().extract(URL(fileURLWithPath: audio))
        try CacheLayout.writeFeatures(f, to: URL(fileURLWithPath: out))
    }
}
