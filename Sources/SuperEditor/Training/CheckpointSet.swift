import Foundation
import NN
import Tensor

/// A checkpoint and the companion files a resume needs with it (the training state, Phase 2's
/// value network), saved so that a process killed at any moment leaves a set that belongs
/// together.
///
/// Each file is written atomically, but a set of files cannot be renamed at once. So every
/// companion records the fingerprint of the checkpoint it belongs to (`checkpoint_digest`),
/// and a save goes:
///   1. the checkpoint to a temporary beside it (not yet visible);
///   2. each companion to `.NAME.pending` with that checkpoint's digest;
///   3. the checkpoint renamed into place — from here on the new set is the one;
///   4. each pending companion renamed over its canonical name.
/// A kill before 3 leaves the old checkpoint with its old companions untouched; a kill after it
/// leaves the new checkpoint with its companions under the pending name. `companion(_:of:)`
/// picks whichever candidate matches the checkpoint's digest, so an interrupted save is never
/// mistaken for a finished one, and a checkpoint is never paired with another save's state.
public enum CheckpointSet {
    public static let digestKey = "checkpoint_digest"

    /// A companion: its canonical URL and how to write it (to the URL given, with the digest).
    public struct Companion {
        public var url: URL
        public var write: (_ to: URL, _ digest: String) throws -> Void
        public init(url: URL, write: @escaping (URL, String) throws -> Void) {
            self.url = url
            self.write = write
        }
    }

    public static func save(_ checkpoint: URL, writeCheckpoint: (URL) throws -> Void, companions: [Companion]) throws {
        let staged = AtomicFile.temporaryURL(beside: checkpoint)
        do {
            try writeCheckpoint(staged)
            let digest = try self.digest(of: staged, as: checkpoint.lastPathComponent)
            for c in companions { try c.write(pendingURL(c.url), digest) }
        } catch {
            try? FileManager.default.removeItem(at: staged)
            throw error
        }
        try AtomicFile.commit(staged, to: checkpoint)
        for c in companions { try AtomicFile.commit(pendingURL(c.url), to: c.url) }
    }

    /// Where a companion waits between steps 2 and 4.
    public static func pendingURL(_ url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).pending")
    }

    /// The fingerprint companions record: the checkpoint's name (`as`, by default the file's),
    /// FNV-1a of its bytes and their count. The name matters: `best` and `last` saved at the
    /// same step have the same bytes, and a companion belongs to one of them.
    public static func digest(of url: URL, as name: String? = nil) throws -> String {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe) else { throw InputError(url.path, "cannot read checkpoint") }
        let h = data.withUnsafeBytes { FNV1a.hash($0) }
        return String(format: "%@:%016llx-%d", name ?? url.lastPathComponent, h, data.count)
    }

    /// Finishes saves a kill interrupted between steps 3 and 4: a pending companion whose
    /// checkpoint (named in its digest) is in place takes its canonical name; one whose
    /// checkpoint was never renamed into place is removed.
    public static func recover(in directory: URL) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names.filter({ $0.hasPrefix(".") && $0.hasSuffix(".pending") }).sorted() {
            let url = directory.appendingPathComponent(name)
            let canonical = directory.appendingPathComponent(String(name.dropFirst().dropLast(".pending".count)))
            let recorded = (try? SafeTensors.read(url))?.metadata[digestKey]
            let checkpoint = recorded.flatMap { $0.split(separator: ":").first }.map { directory.appendingPathComponent(String($0)) }
            if let recorded, let checkpoint, !checkpoint.lastPathComponent.hasPrefix("."),
               FileManager.default.fileExists(atPath: checkpoint.path), (try? digest(of: checkpoint)) == recorded {
                try AtomicFile.commit(url, to: canonical)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    /// The file, canonical or pending, that holds the companion of `checkpoint` saved with it,
    /// and its contents (read once, here). A companion without a digest (written before
    /// digests existed) is taken as it is.
    public static func companion(_ url: URL, of checkpoint: URL, what: String) throws -> (url: URL, file: SafeTensors.File) {
        let want = try digest(of: checkpoint)
        var found: [String] = []
        for candidate in [url, pendingURL(url)] where FileManager.default.fileExists(atPath: candidate.path) {
            let file = try SafeTensors.read(candidate)
            guard let d = file.metadata[digestKey] else {
                if candidate == url { return (url, file) }
                continue
            }
            if d == want { return (candidate, file) }
            found.append(d)
        }
        if found.isEmpty { throw InputError(url.path, "missing: the \(what) saved with \(checkpoint.lastPathComponent) is not there") }
        throw InputError(url.path, "belongs to another save than \(checkpoint.lastPathComponent) (digest \(found[0]), want \(want)); "
                         + "the run folder was changed by hand")
    }
}
