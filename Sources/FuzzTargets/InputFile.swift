import Foundation

/// The file through which the fuzz targets hand bytes to parsers that read a URL: in /dev/shm
/// where there is one (no disk writes at thousands of inputs a second), named by the process,
/// and removed after each input (libFuzzer leaves by _exit, so nothing at exit would remove it).
enum InputFile {
    private static let lock = NSLock()
    private static let folder: URL = {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDir) && isDir.boolValue
            ? URL(fileURLWithPath: "/dev/shm", isDirectory: true) : FileManager.default.temporaryDirectory
    }()

    /// Writes `data` to the process's input file (ending in `name`, whose extension some parsers
    /// look at), runs `body` on it and removes it.
    static func with(_ data: Data, name: String, _ body: (URL) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        let url = folder.appendingPathComponent("super-editor-fuzz-\(getpid())-\(name)")
        try! data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        body(url)
    }
}
