import Foundation

/// A one-line progress bar on a terminal (stderr), or plain lines at a fixed interval when
/// stderr is not a terminal (CI, logs).
public final class ProgressBar {
    public let total: Int
    public let label: String
    private let start = Date()
    private let startCount: Int
    private let interactive: Bool
    private var lastPlain = Date()

    public init(total: Int, label: String, startingAt: Int = 0) {
        self.total = max(total, 1)
        self.label = label
        startCount = startingAt
        interactive = isatty(STDERR_FILENO) != 0
    }

    /// Shows `done` of `total` with a short status text.
    public func update(_ done: Int, _ status: String = "") {
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done - startCount) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let text = "\(label) \(done)/\(total) \(status) \(String(format: "%.2f", rate))/s ETA \(Self.duration(eta))"
        if interactive {
            let width = 24, filled = width * done / total
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(text)\u{1B}[K".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if Date().timeIntervalSince(lastPlain) >= 10 || done >= total {
            lastPlain = Date()
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    /// Prints a message on its own line without garbling the bar.
    public func message(_ text: String) {
        FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[K" : "") + text + "\n").utf8))
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : (t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s")
    }
}
