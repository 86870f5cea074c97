import Tensor
import Foundation
import NN

/// Appends one JSON object per line to `metrics.jsonl`.
public final class MetricsLog {
    public let url: URL
    private let handle: FileHandle?

    /// `writes: false` makes a log that writes nothing (a data-parallel rank other than 0).
    public init(url: URL, writes: Bool = true) throws {
        self.url = url
        guard writes else { handle = nil; return }
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: url.path) else { throw InputError(url.path, "cannot write metrics log") }
        h.seekToEndOfFile()
        handle = h
    }

    deinit { try? handle?.close() }

    public func append(_ record: [String: Any]) {
        guard let handle else { return }
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
