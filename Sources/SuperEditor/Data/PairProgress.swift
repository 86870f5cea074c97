import Foundation

/// Progress over a set of pairs on stderr: a bar redrawn in place on a terminal, plain lines
/// (every `plainEvery` items and at the end) otherwise. Thread-safe; `step` may be called
/// from any worker.
public final class PairProgress: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let interactive = isatty(STDERR_FILENO) != 0
    private let plainEvery: Int
    private let start = Date()
    private let lock = NSLock()
    private var done = 0

    public init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
        plainEvery = max(1, total / 10)
    }

    /// One more item finished; `note` (e.g. "skipped x: why") is printed on its own line.
    public func step(_ note: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        let elapsed = Date().timeIntervalSince(start)
        let text = String(format: "%@ %d/%d  %.1f s", label, done, total, elapsed)
        var out = ""
        if let note { out += (interactive ? "\r\u{1B}[K" : "") + note + "\n" }
        if interactive {
            let width = 30, filled = width * done / total
            out += "\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] " + text
            if done >= total { out += "\n" }
        } else if done % plainEvery == 0 || done >= total {
            out += text + "\n"
        }
        FileHandle.standardError.write(Data(out.utf8))
    }
}
