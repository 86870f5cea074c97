import Tensor
import Foundation
import NN

/// `truth/{id}.json`: the generator's beat grid, the true label of every beat, and the edit
/// script (runs of one label with the reason for it).
public struct SynthTruth: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        public var label: String
        public var reason: String
        public var firstBeat: Int
        public var lastBeat: Int
        public var start: Double
        public var end: Double

        enum CodingKeys: String, CodingKey {
            case label, reason, start, end
            case firstBeat = "first_beat", lastBeat = "last_beat"
        }
    }

    public var id: String
    public var seed: UInt64
    public var index: Int
    public var sampleRate: Int
    public var bpm: Double
    public var rawDuration: Double
    public var editedDuration: Double
    public var beatTimes: [Double]
    public var labels: [Int]
    public var labelNames: [String]
    public var editScript: [Step]

    enum CodingKeys: String, CodingKey {
        case id, seed, index, bpm, labels
        case sampleRate = "sample_rate", rawDuration = "raw_duration", editedDuration = "edited_duration"
        case beatTimes = "beat_times", labelNames = "label_names", editScript = "edit_script"
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    public static func read(_ url: URL) throws -> SynthTruth {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(url.path, "cannot read truth file")
        }
        let truth: SynthTruth
        do { truth = try JSONDecoder().decode(SynthTruth.self, from: data) } catch {
            throw InputError(url.path, "not a synth truth JSON file (\(error.localizedDescription))")
        }
        try InputLimits.current.checkBeatTimes(truth.beatTimes, file: url.path)
        return truth
    }
}
