import Foundation

/// The one file through which the fuzz targets hand bytes to parsers that read a URL: in
/// /dev/shm where there is one (no disk writes at thousands of inputs a second), one path
/// per process, rewritten for every input.
enum InputFile {
    private static let lock = NSLock()
    private static let folder: URL = {
        let shm = URL(fileURLWithPath: "/dev/shm", isDirectory: true)
        var isDir: ObjCBool = false
        let base = FileManager.default.fileExists(atPath: shm.path, isDirectory: &isDir) && isDir.boolValue
            ? shm : FileManager.default.temporaryDirectory
        let url = base.appendingPathComponent("super-editor-fuzz-\(getpid())", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: InputFile.folder) }
        return url
    }()

    /// Writes `data` to the process's input file (named `name`, whose extension some parsers
    /// look at) and runs `body` on it.
    static func with(_ data: Data, name: String, _ body: (URL) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        let url = folder.appendingPathComponent(name)
        try! data.write(to: url)
        body(url)
    }
}
