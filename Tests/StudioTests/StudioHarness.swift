import Foundation
import Studio
import SuperEditor
import Tensor
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A studio served in this process on a free loopback port, over one short synthetic recording
/// and the shipped models, as `super-editor studio FILE --port 0` serves it.
final class StudioHarness: @unchecked Sendable {
    let input: URL
    let store: StudioStore
    let base: URL
    private let task: Task<Void, Error>

    static func start(seconds: Double = 8) async throws -> StudioHarness {
        let dir = makeTemporaryFolder(prefix: "se-studio-")
        let pair = SynthPair.generate(seed: 1, index: 0, seconds: seconds...seconds)
        try pair.write(to: dir)
        let input = dir.appendingPathComponent("raw/\(pair.id).wav")
        let worker = StudioWorker(policy: try PretrainedModels.policy(), reconstruction: try PretrainedModels.reconstruction())
        let store = try await StudioServer.open(files: [input], worker: worker)
        let server = StudioServer(store: store, host: "127.0.0.1", port: 0)
        let ready = AsyncStream<URL>.makeStream()
        let stopper = StudioStop()
        let task = Task { try await server.run(handleSignals: false, stop: stopper) { ready.continuation.yield($0) } }
        var base: URL?
        for await url in ready.stream { base = url; break }
        return StudioHarness(input: input, store: store, base: base!, task: task, stopper: stopper)
    }

    private let stopper: StudioStop

    private init(input: URL, store: StudioStore, base: URL, task: Task<Void, Error>, stopper: StudioStop) {
        self.stopper = stopper
        self.input = input
        self.store = store
        self.base = base
        self.task = task
    }

    /// Stops the server and waits until it has (and so has removed its session folder).
    func stop() async {
        stopper.stop()
        _ = try? await task.value
    }

    var port: UInt16 { UInt16(base.port!) }

    func request(_ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json",
                 headers: [String: String] = [:]) throws -> RawHTTP.Response {
        try RawHTTP.send(method: method, path: path, body: body, contentType: contentType, headers: headers, port: port)
    }

    func json(_ method: String, _ path: String, _ body: String? = nil) throws -> (status: Int, object: Any) {
        let r = try request(method, path, body: body.map { Data($0.utf8) })
        return (r.status, try JSONSerialization.jsonObject(with: r.body, options: [.fragmentsAllowed]))
    }

    /// Polls the session until it is ready and its output is its labels' (or fails after `timeout`).
    func settled(_ id: String = "s1", timeout: Double = 120) throws -> [String: Any] {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            let (status, object) = try json("GET", "/api/sessions/\(id)")
            let s = object as? [String: Any] ?? [:]
            if status == 200, s["status"] as? String == "ready", s["version"] as? Int == s["renderedVersion"] as? Int { return s }
            if s["status"] as? String == "failed" { throw InputError(id, "analysis failed: \(s["error"] ?? "")") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw InputError(id, "not ready after \(timeout) s")
    }
}

/// A minimal HTTP/1.1 client over a POSIX socket: the request goes out exactly as written (no
/// normalising of `..`, no encoding), which is what the path-traversal tests need.
enum RawHTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var error: String? {
            (try? JSONSerialization.jsonObject(with: body)).flatMap { ($0 as? [String: Any])?["error"] as? String }
        }
    }

    static func send(method: String, path: String, body: Data?, contentType: String, headers: [String: String] = [:],
                     port: UInt16) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InputError("socket", "cannot open") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw InputError("127.0.0.1:\(port)", "cannot connect (errno \(errno))") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
        var out = Data((head + "\r\n").utf8)
        if let body { out.append(body) }
        try out.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw InputError("127.0.0.1:\(port)", "send failed (errno \(errno))") }
                sent += n
            }
        }
        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
        }
        return try parse(reply)
    }

    static func parse(_ reply: Data) throws -> Response {
        guard let split = reply.range(of: Data("\r\n\r\n".utf8)) else { throw InputError("reply", "no HTTP head in \(reply.count) bytes") }
        let lines = String(decoding: reply[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw InputError("reply", "bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(reply[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try unchunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    static func unchunk(_ data: Data) throws -> Data {
        var out = Data(), rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw InputError("reply", "bad chunk size") }
            if size == 0 { break }
            let start = lineEnd.upperBound
            out.append(rest[start..<start + size])
            rest = rest[(start + size + 2)...]
        }
        return out
    }
}

/// Lines collected from several threads.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
