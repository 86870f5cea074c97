import Foundation
import Hummingbird
import NIOCore

/// The studio's HTTP API (JSON in and out; errors are `{"error": "..."}` with a 4xx status):
///
/// - `GET /`: the page. `GET /api/palette`: label names and colours.
/// - `GET /api/sessions`: the open sessions. `POST /api/open {"path"}`: a session for a given file.
/// - `POST /api/upload?name=F` (the file as the body): a session for an uploaded recording.
/// - `GET /api/sessions/ID`: its state (`StudioState`). `DELETE /api/sessions/ID`: close it.
/// - `GET /api/sessions/ID/files/NAME`: a file of the session folder (input.wav, mel.png, output WAV),
///   whole or the byte range a `Range` header asks for.
/// - `POST /api/sessions/ID/labels {"label", "beats" | "from", "to"}`, `POST …/undo`, `POST …/redo`.
/// - `POST /api/sessions/ID/edit {"targetDuration", "slack", "keep": [[s, e], …]}`: the policy again.
/// - `GET /api/sessions/ID/export/KIND`: wav, labels, audacity, otio or edl, as a download.
enum StudioRoutes {
    static func router(store: StudioStore) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: StudioErrorMiddleware())

        router.get("/") { _, _ in
            StudioJSON.body(Data(StudioPage.html.utf8), type: "text/html; charset=utf-8")
        }
        router.get("/api/palette") { _, _ in try StudioJSON.response(StudioPictures.palette) }
        router.get("/api/sessions") { _, _ in
            var list: [SessionSummary] = []
            for s in await store.all { list.append(await s.summary) }
            return try StudioJSON.response(list)
        }
        router.post("/api/open") { request, _ in
            let body = try await StudioJSON.decode(OpenRequest.self, from: request, expected: "{\"path\": \"FILE\"}")
            return try StudioJSON.response(await store.open(path: body.path).state())
        }
        router.post("/api/upload") { request, _ in
            var request = request
            guard let name = request.uri.queryParameters.get("name"), !name.isEmpty else {
                throw StudioError.badRequest("upload needs ?name=FILE")
            }
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: StudioStore.maxUploadBytes) } catch {
                throw StudioError(.contentTooLarge, "upload over \(StudioStore.maxUploadBytes >> 20) MiB")
            }
            let s = try await store.upload(name: name, data: Data(buffer.readableBytesView))
            return try StudioJSON.response(await s.state(), status: .created)
        }
        router.get("/api/sessions/:id") { _, context in
            try StudioJSON.response(await session(store, context).state())
        }
        router.delete("/api/sessions/:id") { _, context in
            try await store.close(try id(context))
            return try StudioJSON.response(["closed": try id(context)])
        }
        router.get("/api/sessions/:id/files/:name") { request, context in
            let s = try await session(store, context)
            let url = try StudioPaths.file(try context.parameters.require("name"), in: s.folder)
            guard let data = try? Data(contentsOf: url) else { throw StudioError.notFound("cannot read \(url.lastPathComponent)") }
            return try StudioJSON.file(data, type: url.pathExtension == "png" ? "image/png" : "audio/wav", range: request.headers[.range])
        }
        router.post("/api/sessions/:id/labels") { request, context in
            let change = try await StudioJSON.decode(LabelChange.self, from: request,
                                                     expected: "{\"label\": \"CUT\", \"beats\": [i, …]} or {\"label\", \"from\", \"to\"}")
            return try StudioJSON.response(try await session(store, context).change(change))
        }
        router.post("/api/sessions/:id/undo") { _, context in try StudioJSON.response(try await session(store, context).undo()) }
        router.post("/api/sessions/:id/redo") { _, context in try StudioJSON.response(try await session(store, context).redo()) }
        router.post("/api/sessions/:id/edit") { request, context in
            let edit = try await StudioJSON.decode(EditRequest.self, from: request,
                                                   expected: "{\"targetDuration\": seconds or null, \"slack\": seconds, \"keep\": [[start, end], …]}")
            return try StudioJSON.response(try await session(store, context).edit(edit))
        }
        router.get("/api/sessions/:id/export/:kind") { _, context in
            let s = try await session(store, context)
            let raw = try context.parameters.require("kind")
            guard let kind = StudioExport(rawValue: raw) else {
                throw StudioError.badRequest("unknown export '\(raw)' (use \(StudioExport.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let r = try await s.rendered()
            let name = kind.filename(for: s.source)
            let url = s.folder.appendingPathComponent(name)
            try await store.worker.run { _ in try kind.write(r, source: s.source, to: url) }
            return StudioJSON.body(try Data(contentsOf: url), type: kind.contentType, filename: name)
        }
        return router
    }

    static func id(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        return raw.removingPercentEncoding ?? raw
    }

    static func session(_ store: StudioStore, _ context: BasicRequestContext) async throws -> StudioSession {
        try await store.session(try id(context))
    }
}
