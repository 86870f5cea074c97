import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SuperEditor

/// `super-editor studio`: a local web server with one page to audition, correct and export
/// edits (`StudioRoutes` is its API, `StudioPage` the page). It listens on 127.0.0.1 unless told
/// otherwise, and removes its session folder when it stops.
public struct StudioServer: Sendable {
    public let store: StudioStore
    public var host: String
    public var port: Int

    public init(store: StudioStore, host: String = "127.0.0.1", port: Int = 8080) {
        self.store = store
        self.host = host
        self.port = port
    }

    /// A store with a session for each of `files` (their analysis started), or the one-line error
    /// `edit` gives for the first that is missing or not audio (the session folder is then removed).
    public static func open(files: [URL], worker: StudioWorker) async throws -> StudioStore {
        let store = try StudioStore(given: files, worker: worker)
        do {
            for f in files { _ = try await store.open(f) }
        } catch {
            store.removeFolder()
            throw error
        }
        return store
    }

    /// Serves until `stop` is called, the task is cancelled or, with `handleSignals`, until SIGINT
    /// or SIGTERM; `onReady` gets the page's address once the port is bound (port 0 picks a free
    /// one). The session folder is removed when it stops.
    public func run(handleSignals: Bool = true, stop: StudioStop? = nil, onReady: @escaping @Sendable (URL) -> Void = { _ in }) async throws {
        let host = self.host
        var logger = Logger(label: "super-editor.studio")
        logger.logLevel = .warning
        let app = Application(
            router: StudioRoutes.router(store: store),
            configuration: .init(address: .hostname(host, port: port), serverName: "super-editor studio"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                // An IPv6 host goes in brackets, its zone's "%" escaped (fe80::1%eth0).
                let shown = host.contains(":") ? "[\(host.replacingOccurrences(of: "%", with: "%25"))]" : host
                onReady(URL(string: "http://\(shown):\(bound)/") ?? URL(fileURLWithPath: "/"))
            },
            logger: logger)
        defer { store.removeFolder() }
        // Cancelling the task shuts the server down gracefully too, as a signal does.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                                                      logger: logger))
        stop?.attach(group)
        try await withTaskCancellationHandler {
            try await group.run()
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// Runs `body` to the end from synchronous code (the command line), returning or throwing what it did.
    public static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Stops a running `StudioServer` gracefully (as Ctrl-C does), from any thread.
public final class StudioStop: @unchecked Sendable {
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var requested = false

    public init() {}

    public func stop() {
        lock.lock(); defer { lock.unlock() }
        requested = true
        if let group { Task { await group.triggerGracefulShutdown() } }
    }

    func attach(_ g: ServiceGroup) {
        lock.lock(); defer { lock.unlock() }
        group = g
        if requested { Task { await g.triggerGracefulShutdown() } }
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
