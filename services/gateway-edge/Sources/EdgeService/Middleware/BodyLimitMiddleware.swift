import AgentIMCore
import AgentIMHTTP
import HTTPTypes
import Hummingbird

/// Body limits of http-api §1.8: 12 MiB under `/api/upload`, 1 MiB for the rest of `/api`,
/// refused from `Content-Length` before anything is read.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    static let apiLimit = 1 << 20
    static let uploadLimit = 12 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") else { return try await next(request, context) }
        let limit = path.hasPrefix("/api/upload") ? Self.uploadLimit : Self.apiLimit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return errorResponse(APIError(413, "Request body too large"), errorId: Nanoid.make())
        }
        return try await next(request, context)
    }
}
