import AgentIMHTTP
import AgentIMCore
import HTTPTypes
import Hummingbird

/// `X-Request-ID`: the inbound value cut to 32 chars, or a fresh 12-char id, on the
/// response and in this request's log lines.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    static let header = HTTPField.Name("X-Request-ID")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[Self.header].map { String($0.prefix(32)) } ?? Nanoid.make(length: 12)
        var context = context
        context.logger[metadataKey: "request"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }
}
