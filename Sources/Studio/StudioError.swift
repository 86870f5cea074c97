import Foundation
import Hummingbird
import Tensor

/// A request the studio refuses: an HTTP status and the one line the page shows.
public struct StudioError: Error, CustomStringConvertible, Sendable {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message.replacingOccurrences(of: "\n", with: " ")
    }

    public var description: String { "\(status.code): \(message)" }

    static func badRequest(_ m: String) -> StudioError { StudioError(.badRequest, m) }
    static func forbidden(_ m: String) -> StudioError { StudioError(.forbidden, m) }
    static func notFound(_ m: String) -> StudioError { StudioError(.notFound, m) }
    static func conflict(_ m: String) -> StudioError { StudioError(.conflict, m) }
}

/// Turns every error a route throws (and the router's own "no such route") into a JSON body
/// `{"error": "one line"}` with a 4xx status, so a bad request never ends the server: a
/// `StudioError` keeps its status, an `InputError` (a bad file, a target that cannot be
/// reached) is 422 with its one line, Hummingbird's errors keep theirs.
struct StudioErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as StudioError {
            return StudioJSON.error(e.status, e.message)
        } catch let e as InputError {
            return StudioJSON.error(.unprocessableContent, e.description)
        } catch let e as HTTPError {
            let message = e.body ?? (e.status == .notFound ? "no such route: \(request.method) \(request.uri.path)" : e.status.reasonPhrase)
            return StudioJSON.error(e.status, message)
        } catch let e as any HTTPResponseError {
            return StudioJSON.error(e.status, "\(e.status.reasonPhrase): \(request.method) \(request.uri.path)")
        } catch {
            return StudioJSON.error(.internalServerError, InputError.line(for: error))
        }
    }
}
