import AudioDSP
import Foundation

/// Audio bytes (WAV, FLAC, OGG… whatever libsndfile recognises) through `AudioFile.load`:
/// decode, downmix and resampling to the package's rate with soxr.
enum AudioTarget {
    static func run(_ data: Data) {
        InputFile.with(data, name: "fuzz-audio") { url in
            FuzzTargets.expectInputError(name: url.path) { _ = try AudioFile.load(url) }
        }
    }
}
