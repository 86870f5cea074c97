import Foundation
import Hummingbird
import NIOCore

/// The studio's JSON: what the page reads (`StudioState`), what it sends, and the responses.
enum StudioJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(value)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        body(try encode(value), type: "application/json; charset=utf-8", status: status)
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let data = (try? encode(["error": message])) ?? Data("{\"error\":\"error\"}".utf8)
        return body(data, type: "application/json; charset=utf-8", status: status)
    }

    static func body(_ data: Data, type: String, status: HTTPResponse.Status = .ok, filename: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-store"]
        if let filename { headers[.contentDisposition] = "attachment; filename=\"\(filename)\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A session file for a media element: the whole file, or the one byte range a `Range`
    /// header asks for (206), which the browser needs to seek in audio; a range it cannot
    /// satisfy is a 416.
    static func file(_ data: Data, type: String, range: String?) throws -> Response {
        var response = body(data, type: type)
        response.headers[.acceptRanges] = "bytes"
        guard let range else { return response }
        let n = data.count
        let spec = range.trimmingCharacters(in: .whitespaces)
        guard spec.hasPrefix("bytes="), !spec.contains(",") else { throw StudioError(.rangeNotSatisfiable, "unsupported range '\(range)'") }
        let parts = spec.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { String($0) }
        guard parts.count == 2 else { throw StudioError(.rangeNotSatisfiable, "bad range '\(range)'") }
        let first: Int, last: Int
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { throw StudioError(.rangeNotSatisfiable, "bad range '\(range)'") }
            first = max(0, n - suffix); last = n - 1
        } else {
            guard let a = Int(parts[0]), a >= 0, a < n else { throw StudioError(.rangeNotSatisfiable, "range '\(range)' outside \(n) bytes") }
            let b = parts[1].isEmpty ? n - 1 : Int(parts[1]) ?? -1
            guard b >= a else { throw StudioError(.rangeNotSatisfiable, "bad range '\(range)'") }
            first = a; last = min(b, n - 1)
        }
        response = body(data.subdata(in: first..<(last + 1)), type: type, status: .partialContent)
        response.headers[.acceptRanges] = "bytes"
        response.headers[.contentRange] = "bytes \(first)-\(last)/\(n)"
        return response
    }

    /// Reads a request's JSON body as `T`; a body that is not that JSON is a 400 naming what was expected.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, expected: String) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: 1 << 20) } catch {
            throw StudioError(.contentTooLarge, "request body over 1 MiB")
        }
        guard let value = try? JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView)) else {
            throw StudioError.badRequest("malformed JSON body: expected \(expected)")
        }
        return value
    }
}

/// Everything the page draws for one session, as `GET /api/sessions/ID` returns it.
public struct StudioState: Codable, Sendable, Equatable {
    public struct Beat: Codable, Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var label: String
        /// The policy's probability of the label it chose for this beat (`EditPipeline.Result.probabilities`).
        public var confidence: Double
    }

    public var id: String
    public var name: String
    /// analysing, rendering, ready or failed.
    public var status: String
    public var stage: String
    public var progress: Double
    public var error: String?
    /// Bumped by every change of labels; the output on show is `renderedVersion`'s.
    public var version: Int
    public var renderedVersion: Int
    public var sampleRate: Int
    public var inputDuration: Double
    /// The rendered output's length in seconds (its sample count over the rate).
    public var outputDuration: Double
    public var beats: [Beat]
    /// Source ranges in play order (`TimelineExports.keptRanges`), [start, end] seconds.
    public var keptRanges: [[Double]]
    /// Min and max per column of the input's and the rendered output's samples.
    public var inputPeaks: [Float]
    public var outputPeaks: [Float]
    /// Names of the session folder's files: input.wav, mel.png, the current output WAV.
    public var inputFile: String?
    public var melFile: String?
    public var outputFile: String?
    public var targetDuration: Double?
    public var slack: Double
    public var keep: [[Double]]
    public var canUndo: Bool
    public var canRedo: Bool
}

/// The page's static facts: label names and their colours (the palette of `edit --plot`).
struct StudioPalette: Codable {
    struct Entry: Codable { var name: String; var color: String }
    var labels: [Entry]
}

/// `POST /api/sessions/ID/labels`: set `label` on `beats` (indices), or on `from`…`to` inclusive.
struct LabelChange: Codable {
    var label: String
    var beats: [Int]?
    var from: Int?
    var to: Int?
}

/// `POST /api/sessions/ID/edit`: run the policy again with a target duration and keep regions.
struct EditRequest: Codable {
    var targetDuration: Double?
    var slack: Double?
    var keep: [[Double]]?
}

/// `POST /api/open`: a session for one of the files the studio was started with.
struct OpenRequest: Codable {
    var path: String
}

struct SessionSummary: Codable {
    var id: String
    var name: String
    var status: String
}
