/// The edit vocabulary. A label is decided per beat and covers the frames up to the next beat.
public enum EditLabel: Int, CaseIterable, Codable, Sendable {
    case cut = 0, keep, loop, fadeIn, fadeOut, effect, transition, pad

    /// The names used in files and reports: CUT, KEEP, …
    public var name: String {
        ["CUT", "KEEP", "LOOP", "FADE_IN", "FADE_OUT", "EFFECT", "TRANSITION", "PAD"][rawValue]
    }

    public init?(name: String) {
        guard let l = EditLabel.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = l
    }

    /// Labels a policy may choose (everything but PAD).
    public static let actions: [EditLabel] = [.cut, .keep, .loop, .fadeIn, .fadeOut, .effect, .transition]
    public static let count = 8
}
