import Foundation

/// A new, empty folder under the system's temporary directory, named `prefix` and a UUID,
/// removed when the test process exits (tests read what they need from it before then).
public func makeTemporaryFolder(prefix: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    TemporaryFolders.removeAtExit(url)
    return url
}

enum TemporaryFolders {
    nonisolated(unsafe) private static var made: [URL] = []
    private static let lock = NSLock()
    private static let registered: Void = { atexit { TemporaryFolders.removeAll() } }()

    static func removeAtExit(_ url: URL) {
        _ = registered
        lock.lock(); made.append(url); lock.unlock()
    }

    static func removeAll() {
        lock.lock(); defer { lock.unlock() }
        for url in made { try? FileManager.default.removeItem(at: url) }
        made.removeAll()
    }
}
