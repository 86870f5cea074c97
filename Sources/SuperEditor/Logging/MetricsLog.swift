import Tensor
import Foundation
import NN

/// Appends one JSON object per line to `metrics.jsonl`.
public final class MetricsLog {
    public let url: URL
    private let handle: FileHandle?

    /// `writes: false` makes a log that writes nothing (a data-parallel rank other than 0).
    ///
    /// `keeping` says which lines already in the file a resumed run keeps: the ones up to
    /// where its checkpoint stood, so that lines a killed run wrote after its last checkpoint
    /// (and a half-written last line) are dropped and the log reads as one uninterrupted run.
    /// `nil` (a new run) starts the log empty.
    public init(url: URL, writes: Bool = true, keeping: (([String: Any]) -> Bool)?) throws {
        self.url = url
        guard writes else { handle = nil; return }
        try Self.rewrite(url, keeping: keeping ?? { _ in false })
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: url.path) else { throw InputError(url.path, "cannot write metrics log") }
        h.seekToEndOfFile()
        handle = h
    }

    deinit { try? handle?.close() }

    /// Rewrites the log (atomically) with the lines `keep` accepts; unreadable lines go.
    static func rewrite(_ url: URL, keeping keep: ([String: Any]) -> Bool) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        var kept = Data()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], keep(record) else { continue }
            kept.append(Data(line))
            kept.append(UInt8(ascii: "\n"))
        }
        if kept != data { try AtomicFile.write(kept, to: url) }
    }

    /// A `keeping` rule: lines whose `key` (when they have it) is at most `limit`.
    public static func upTo(_ key: String, _ limit: Int) -> ([String: Any]) -> Bool {
        { record in ((record[key] as? NSNumber)?.intValue ?? Int.min) <= limit }
    }

    public func append(_ record: [String: Any]) {
        guard let handle else { return }
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
