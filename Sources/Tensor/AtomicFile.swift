import Foundation

/// Writes files so that a reader never sees half of one, even when the process is killed in
/// the middle: the bytes go to a temporary file in the destination's folder
/// (`.NAME.tmp-PID-RANDOM`), are flushed to disk, and the file is renamed over the
/// destination. A kill leaves either the old file or the new one, plus at worst a stray
/// temporary that `removeStaleTemporaries` clears.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        try checkParentDirectory(of: url)
        let tmp = temporaryURL(beside: url)
        do {
            try data.write(to: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw InputError(url.path, "cannot write file (\(reason(error)))")
        }
        try commit(tmp, to: url)
    }

    /// Fails with a clear message when the destination's folder is missing.
    public static func checkParentDirectory(of url: URL) throws {
        let parent = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDir) || !isDir.boolValue {
            throw InputError(url.path, "cannot write file (no such directory: \(parent))")
        }
    }

    /// The prefix every temporary of `url` starts with.
    static func temporaryPrefix(of url: URL) -> String { ".\(url.lastPathComponent).tmp-" }

    /// A fresh temporary name beside `url`, for writers that fill the file themselves
    /// (libsndfile, libpng, zip) before `commit`.
    public static func temporaryURL(beside url: URL) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(temporaryPrefix(of: url) + "\(getpid())-\(UInt32.random(in: 0 ... .max))")
    }

    /// Flushes `tmp` to disk and renames it over `url` (removing `tmp` on failure).
    public static func commit(_ tmp: URL, to url: URL) throws {
        let fd = open(tmp.path, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); close(fd) }
        if rename(tmp.path, url.path) != 0 {
            let msg = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw InputError(url.path, "cannot write file (\(msg))")
        }
    }

    /// Removes temporaries that killed writers left in `directory` (any `.NAME.tmp-PID-…`
    /// whose process PID is gone; with `of`, only that file's). Returns how many it removed.
    @discardableResult
    public static func removeStaleTemporaries(in directory: URL, of file: URL? = nil) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        let only = file.map(temporaryPrefix(of:))
        var removed = 0
        for name in names where name.hasPrefix(".") && (only.map(name.hasPrefix) ?? true) {
            guard let r = name.range(of: ".tmp-") else { continue }
            let pidText = name[r.upperBound...].prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }

    /// A Foundation error as a short reason ("no such file", "permission denied", strerror).
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let under = ns.userInfo[NSUnderlyingErrorKey] as? NSError, under.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(under.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
            default: break
            }
        }
        return ns.localizedDescription.replacingOccurrences(of: "\n", with: " ")
    }
}
