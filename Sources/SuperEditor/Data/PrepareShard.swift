import Foundation
import Tensor

/// One of N independent parts of a `prepare` run (`--shard K/N`), for splitting a large corpus
/// over machines with no coordination: part K takes the pairs whose id hashes to K − 1 modulo
/// N (`CacheLayout.stableHash`, the hash the validation split uses), so a pair's part never
/// depends on what else is in the folders.
public struct PrepareShard: Equatable, Sendable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else {
            throw InputError("--shard", "expected K/N with 1 ≤ K ≤ N, got \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }

    /// "K/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw InputError("--shard", "expected K/N (for example 2/8), got '\(text)'")
        }
        try self.init(index: k, count: n)
    }

    public func holds(_ id: String) -> Bool { Int(CacheLayout.stableHash(id) % UInt64(count)) == index - 1 }

    public var description: String { "\(index)/\(count)" }

    /// The part's own manifest, beside the cache's `manifest.json` (which a run without
    /// `--shard` writes for the whole folder once the parts are together).
    public func manifest(in layout: CacheLayout) -> URL {
        layout.root.appendingPathComponent("manifest.shard-\(index)-of-\(count).json")
    }
}
