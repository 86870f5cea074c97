import Tensor
import Foundation
import ZIPFoundation

/// Reads and writes NumPy `.npz` archives: a zip of `.npy` files, one per named array, as
/// `numpy.savez` (stored) and `numpy.savez_compressed` (deflated) produce.
public enum NPZ {
    /// Every member's timestamp (the zip epoch), so the same arrays always give the same bytes.
    static let memberDate = Date(timeIntervalSince1970: 315_532_800)

    /// Reads every `NAME.npy` member of the archive into `[NAME: array]`. Members that are not
    /// `.npy` files are ignored. Fails with a one-line error naming the file for a missing or
    /// non-zip file, a corrupt member, or an unsupported dtype.
    public static func read(_ url: URL) throws -> [String: NPYArray] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw InputError(url.path, "no such file")
        }
        if isDir.boolValue { throw InputError(url.path, "is a directory, not an .npz file") }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw InputError(url.path, "permission denied")
        }
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw InputError(url.path, "not an .npz file (not a readable zip archive)")
        }
        let limits = InputLimits.current
        var out: [String: NPYArray] = [:]
        for entry in archive where entry.type == .file {
            let path = entry.path
            guard path.hasSuffix(".npy") else { continue }
            let key = String(path.dropLast(4))
            // A zip bomb is refused by its declared size before extraction, and a member that
            // inflates past what it declared is corrupt, so memory never exceeds the declaration.
            let declared = entry.uncompressedSize
            try limits.checkArchiveMember(path, bytes: Int64(clamping: declared), file: url.path)
            var bytes = Data()
            bytes.reserveCapacity(Int(min(declared, 1 << 24)))
            do {
                _ = try archive.extract(entry, consumer: { chunk in
                    guard UInt64(bytes.count + chunk.count) <= declared else { throw MemberOverrun() }
                    bytes.append(chunk)
                })
            } catch is MemberOverrun {
                throw InputError(url.path, "corrupt member '\(path)' (inflates past its declared \(declared) bytes)")
            } catch {
                throw InputError(url.path, "corrupt member '\(path)' (\(error))")
            }
            do {
                out[key] = try NPY.decode(bytes, name: "\(path)")
            } catch let e as InputError {
                throw InputError(url.path, "member '\(e.path)': \(e.problem)")
            }
        }
        return out
    }

    /// Writes the arrays as `NAME.npy` members (in sorted name order), stored or deflated.
    /// The archive is built in a temporary file beside `url` and renamed over it, so a
    /// failure never leaves a partial file and never clobbers an existing one.
    public static func write(_ arrays: [String: NPYArray], to url: URL, compressed: Bool = false) throws {
        try AtomicFile.checkParentDirectory(of: url)
        let tmp = AtomicFile.temporaryURL(beside: url)
        do {
            let archive: Archive
            do { archive = try Archive(url: tmp, accessMode: .create) } catch {
                throw InputError(url.path, "cannot create file (\(AtomicFile.reason(error)))")
            }
            for key in arrays.keys.sorted() {
                let bytes = NPY.encode(arrays[key]!)
                do {
                    try archive.addEntry(with: key + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                                         modificationDate: NPZ.memberDate, compressionMethod: compressed ? .deflate : .none,
                                         provider: { position, size in
                                             let start = Int(position)
                                             return bytes.subdata(in: start ..< min(bytes.count, start + size))
                                         })
                } catch {
                    throw InputError(url.path, "cannot write member '\(key).npy' (\(error))")
                }
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        try AtomicFile.commit(tmp, to: url)
    }

    private struct MemberOverrun: Error {}
}
