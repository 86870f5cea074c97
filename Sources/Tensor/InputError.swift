import Foundation

/// A problem with a file the user gave us (or with in-memory input, `InputError.signal`): the
/// one error type of every target for bad input. Its description is one line that names the
/// file and the problem, which the command line prints as is.
public struct InputError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The file path, or a short label such as "<signal>" for in-memory audio.
    public let path: String
    public let problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        // Keep the message on one line whatever the underlying library said.
        self.problem = problem.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "\(path): \(problem)" }
    public var errorDescription: String? { description }

    /// The label used for signals that did not come from a file.
    public static let signal = "<signal>"

    /// Any error as the one line a user sees: an `InputError` as it is; anything else with
    /// `file` (when known) in front, on one line.
    public static func line(for error: Error, file: String? = nil) -> String {
        if let e = error as? InputError { return e.description }
        let text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        return (file.map { "\($0): " } ?? "") + text.replacingOccurrences(of: "\n", with: " ")
    }
}
