import Foundation

/// How much a file may ask for: the audio length, the number of beats and the size of an
/// archive member. A file over a limit is refused with one line naming the file, the figure,
/// the limit and the command-line flag that raises it, before anything of that size is
/// allocated. The command line sets `current` once from its flags; the library reads it.
public struct InputLimits: Equatable, Sendable {
    /// The longest audio file, in minutes (`--max-audio-minutes`).
    public var maxAudioMinutes: Double
    /// The most beats a labels file, a beat array or the beat tracker may give (`--max-beats`).
    public var maxBeats: Int
    /// The largest uncompressed member of an `.npz` archive, in bytes.
    public var maxArchiveMemberBytes: Int64

    public init(maxAudioMinutes: Double = 180, maxBeats: Int = 100_000, maxArchiveMemberBytes: Int64 = 4 << 30) {
        self.maxAudioMinutes = maxAudioMinutes
        self.maxBeats = maxBeats
        self.maxArchiveMemberBytes = maxArchiveMemberBytes
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared = InputLimits()

    /// The limits of this process.
    public static var current: InputLimits {
        get { lock.lock(); defer { lock.unlock() }; return shared }
        set { lock.lock(); defer { lock.unlock() }; shared = newValue }
    }

    /// Refuses audio of `frames` frames at `sampleRate` that is longer than the limit.
    public func checkAudio(frames: Int, sampleRate: Int, file: String) throws {
        let minutes = Double(frames) / Double(sampleRate) / 60
        guard minutes <= maxAudioMinutes else {
            throw InputError(file, "audio is \(String(format: "%.1f", minutes)) minutes long, over the limit of "
                + "\(Self.figure(maxAudioMinutes)) minutes (--max-audio-minutes raises it)")
        }
    }

    /// Refuses more beats than the limit.
    public func checkBeats(_ count: Int, file: String) throws {
        guard count <= maxBeats else {
            throw InputError(file, "\(count) beats, over the limit of \(maxBeats) beats (--max-beats raises it)")
        }
    }

    /// Refuses more beat times than the limit, and any that is not a time in seconds from 0 to
    /// the longest audio allowed (a NaN or huge time would trap when made a frame index).
    public func checkBeatTimes(_ times: [Double], file: String) throws {
        try checkBeats(times.count, file: file)
        let longest = maxAudioMinutes * 60
        if let bad = times.first(where: { !($0 >= 0 && $0 <= longest) }) {
            throw InputError(file, "beat at \(bad) s lies outside 0 s to the audio limit of \(Self.figure(maxAudioMinutes)) minutes "
                + "(--max-audio-minutes raises it)")
        }
    }

    /// Refuses an archive member that declares more uncompressed bytes than the limit.
    public func checkArchiveMember(_ member: String, bytes: Int64, file: String) throws {
        guard bytes <= maxArchiveMemberBytes else {
            throw InputError(file, "member '\(member)' declares \(bytes) bytes uncompressed, over the limit of "
                + "\(maxArchiveMemberBytes) bytes")
        }
    }

    /// A limit as written on the command line: 180, not 180.0.
    private static func figure(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
