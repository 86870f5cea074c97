import Foundation

/// Why audio could not be loaded, processed or written. `description` is a single line that
/// names the file (or the signal) and the problem, ready to print on stderr.
public struct AudioError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The file path, or a short label such as "<signal>" for in-memory audio.
    public let source: String
    public let problem: String

    public init(_ source: String, _ problem: String) {
        self.source = source
        // Keep the message on one line whatever the underlying library said.
        self.problem = problem.replacingOccurrences(of: "\n", with: " ")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "\(source): \(problem)" }
    public var errorDescription: String? { description }

    /// The label used for signals that did not come from a file.
    public static let signal = "<signal>"
}
