import Foundation

/// The studio's rules for paths that arrive in requests. It reads and writes only the files it
/// was started with and its own session folder, so every path a request names is checked here:
/// a `..` component, an absolute or relative path to anything but a given file, and a symbolic
/// link (also one put into the session folder) are refused with 403.
public enum StudioPaths {
    /// A given file's path as the studio compares it: absolute, with `.` removed, links not followed.
    public static func canonical(_ path: String, relativeTo cwd: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> String {
        URL(fileURLWithPath: path, relativeTo: cwd).standardizedFileURL.path
    }

    /// The given file a request's `path` names: its canonical form must be one of `given`, character
    /// for character, so no other spelling of a file (through `..` or a link) reaches anything.
    static func givenFile(_ path: String, among given: [URL]) throws -> URL {
        guard !path.isEmpty, !path.contains("\0") else { throw StudioError.badRequest("empty path") }
        if path.split(separator: "/").contains("..") {
            throw StudioError.forbidden("\(path): refused: '..' in a path (the studio opens only the files it was started with)")
        }
        let wanted = canonical(path)
        guard let url = given.first(where: { $0.path == wanted }) else {
            throw StudioError.forbidden("\(path): refused: not one of the files the studio was started with")
        }
        return url
    }

    /// A plain file name inside a session folder, as it appears in a URL (percent-encoded). Refused:
    /// empty, hidden, `..`, any separator, NUL.
    static func fileName(_ raw: String) throws -> String {
        let name = raw.removingPercentEncoding ?? raw
        guard !name.isEmpty, name.count <= 200 else { throw StudioError.badRequest("bad file name") }
        guard !name.contains("/"), !name.contains("\\"), !name.contains("\0"), !name.hasPrefix("."), !name.hasPrefix("~") else {
            throw StudioError.forbidden("\(name): refused: only plain names of the session's own files")
        }
        return name
    }

    /// `folder/name` when it is a regular file there and not a symbolic link.
    static func file(_ name: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(try fileName(name))
        var st = stat()
        guard lstat(url.path, &st) == 0 else { throw StudioError.notFound("\(name): no such file in the session") }
        if (st.st_mode & S_IFMT) == S_IFLNK { throw StudioError.forbidden("\(name): refused: a symbolic link") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw StudioError.forbidden("\(name): refused: not a plain file") }
        return url
    }

    /// An uploaded file's name made safe to store: letters, digits, `.`, `-` and `_` only.
    static func uploadName(_ raw: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        let base = (raw.removingPercentEncoding ?? raw).split(separator: "/").last.map(String.init) ?? ""
        var s = String(base.map { allowed.contains($0) ? $0 : "_" }.prefix(80))
        while s.hasPrefix(".") { s.removeFirst() }
        return s.isEmpty ? "upload" : s
    }
}
