import AudioDSP
import Foundation
import Tensor

/// The studio's sessions and its session folder (a new temporary folder, removed when the
/// studio stops). A session is a file the studio was started with, or an upload, which is
/// stored inside the folder; nothing outside the given files and this folder is read or written.
public actor StudioStore {
    /// The session folder: one subfolder per session.
    public nonisolated let folder: URL
    /// The files the studio was started with, canonical (`StudioPaths.canonical`).
    public nonisolated let given: [URL]
    let worker: StudioWorker
    private var sessions: [String: StudioSession] = [:]
    private var order: [String] = []
    private var nextID = 1

    /// Largest upload accepted, in bytes.
    public static let maxUploadBytes = 512 << 20

    /// Makes the session folder. `given` are the files requests may name.
    public init(given: [URL], worker: StudioWorker) throws {
        self.given = given.map { URL(fileURLWithPath: StudioPaths.canonical($0.path)) }
        self.worker = worker
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("super-editor-studio-\(UUID().uuidString)")
        // Only this user may read the uploads and renders inside it.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// A session for a given file (the one already open, if any), its analysis started. A file
    /// that is missing or not audio is refused with the one-line error `edit` gives.
    public func open(_ url: URL) async throws -> StudioSession {
        let file = URL(fileURLWithPath: StudioPaths.canonical(url.path))
        guard given.contains(file) else { throw StudioError.forbidden("\(url.path): refused: not one of the files the studio was started with") }
        if let open = order.compactMap({ sessions[$0] }).first(where: { $0.source == file }) { return open }
        try await worker.run { _ in _ = try AudioFile.decode(file) }
        return try add(source: file, name: file.lastPathComponent, id: newID())
    }

    /// `POST /api/open`'s path: one of the given files, however the request spells it, or 403.
    func open(path: String) async throws -> StudioSession {
        try await open(try StudioPaths.givenFile(path, among: given))
    }

    /// An uploaded recording: stored in its session's folder, refused (and removed) with the
    /// one-line error `edit` gives, naming the upload, when it is not audio.
    public func upload(name: String, data: Data) async throws -> StudioSession {
        let id = newID(), safe = StudioPaths.uploadName(name)
        let dir = folder.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("source-\(safe)")
        do {
            try data.write(to: file)
            try await worker.run { _ in _ = try AudioFile.decode(file) }
        } catch {
            try? FileManager.default.removeItem(at: dir)
            if let e = error as? InputError { throw InputError(safe, e.problem) }
            throw error
        }
        return try add(source: file, name: safe, id: id)
    }

    private func newID() -> String {
        defer { nextID += 1 }
        return "s\(nextID)"
    }

    private func add(source: URL, name: String, id: String) throws -> StudioSession {
        let dir = folder.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let s = StudioSession(id: id, name: name, source: source, folder: dir, worker: worker)
        sessions[id] = s
        order.append(id)
        Task { await s.startAnalysis() }
        return s
    }

    public func session(_ id: String) throws -> StudioSession {
        guard let s = sessions[id] else { throw StudioError.notFound("no session '\(id)'") }
        return s
    }

    public var all: [StudioSession] { order.compactMap { sessions[$0] } }

    /// Closes a session: waits for its work in flight and removes its folder.
    public func close(_ id: String) async throws {
        let s = try session(id)
        sessions[id] = nil
        order.removeAll { $0 == id }
        await s.settle()
        try? FileManager.default.removeItem(at: s.folder)
    }

    /// Removes the session folder (when the studio stops).
    public nonisolated func removeFolder() {
        try? FileManager.default.removeItem(at: folder)
    }
}
