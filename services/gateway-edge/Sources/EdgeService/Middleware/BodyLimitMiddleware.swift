import AgentIMCore
import AgentIMHTTP
import HTTPTypes
import Hummingbird
import NIOCore

/// Body limits of http-api §1.8: 12 MiB under `/api/upload`, 1 MiB for the rest of `/api`.
/// A declared `Content-Length` over the limit is refused before anything is read; a body
/// without one is counted while it streams, and the first byte over the limit ends the
/// request with 413 (the connection is then closed rather than drained).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    static let apiLimit = 1 << 20
    static let uploadLimit = 12 << 20

    static func limit(for path: String) -> Int? {
        guard path.hasPrefix("/api/") else { return nil }
        return path.hasPrefix("/api/upload") ? uploadLimit : apiLimit
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let limit = Self.limit(for: request.uri.path) else { return try await next(request, context) }
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length <= limit else { return Self.tooLarge() }
            return try await next(request, context)
        }
        var request = request
        request.body = RequestBody(asyncSequence: LimitedBody(base: request.body, limit: limit))
        do {
            return try await next(request, context)
        } catch is BodyTooLarge {
            return Self.tooLarge()
        } catch let error as APIError where error.status == 413 {
            return Self.tooLarge()
        }
    }

    static func tooLarge() -> Response {
        var response = errorResponse(APIError(413, "Request body too large"), errorId: Nanoid.make())
        response.headers[.connection] = "close"
        return response
    }
}

/// Thrown by a streamed request body on its first byte over the limit.
struct BodyTooLarge: Error {}

/// A request body that throws `BodyTooLarge` once more than `limit` bytes went through.
struct LimitedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let limit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += buffer.readableBytes
            if seen > limit { throw BodyTooLarge() }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit) }
}
