import Tensor
import Foundation
import ZIPFoundation

/// Reads and writes NumPy `.npz` archives: a zip of `.npy` files, one per named array, as
/// `numpy.savez` (stored) and `numpy.savez_compressed` (deflated) produce.
public enum NPZ {
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
        var out: [String: NPYArray] = [:]
        for entry in archive where entry.type == .file {
            let path = entry.path
            guard path.hasSuffix(".npy") else { continue }
            let key = String(path.dropLast(4))
            var bytes = Data()
            do {
                _ = try archive.extract(entry, consumer: { bytes.append($0) })
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
        try NPY.checkParentDirectory(of: url)
        let tmp = NPY.temporaryURL(beside: url)
        do {
            let archive: Archive
            do { archive = try Archive(url: tmp, accessMode: .create) } catch {
                throw InputError(url.path, "cannot create file (\(NPY.reason(error)))")
            }
            for key in arrays.keys.sorted() {
                let bytes = NPY.encode(arrays[key]!)
                do {
                    try archive.addEntry(with: key + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                                         compressionMethod: compressed ? .deflate : .none,
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
        try NPY.commit(tmp, to: url)
    }
}
