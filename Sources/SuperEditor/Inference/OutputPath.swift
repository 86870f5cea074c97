import Tensor
import Foundation
import NN

/// Checks an output path before any work is done: its folder must exist and be writable, and
/// an existing file is only replaced when the user said so.
public enum OutputPath {
    public static func check(_ url: URL, force: Bool) throws {
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw InputError(url.path, "cannot write: folder \(dir.path) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir.path) else {
            throw InputError(url.path, "cannot write: folder \(dir.path) is not writable")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) {
            if isDir.boolValue { throw InputError(url.path, "is a folder") }
            if !force { throw InputError(url.path, "already exists (use --force to replace it)") }
        }
        AtomicFile.removeStaleTemporaries(in: dir, of: url)
    }
}
