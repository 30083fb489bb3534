import AgentIMHTTP
import AgentIMCore
import HTTPTypes
import Hummingbird

/// `X-Request-ID`: the inbound value cut to 32 chars, or a fresh 12-char id, on the
/// response, in this request's log lines and on the request passed inward (so the proxied
/// service logs the same id).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    static let header = HTTPField.Name("X-Request-ID")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let inbound = request.headers[Self.header]
        let id = inbound.map { String($0.prefix(32)) } ?? Nanoid.make(length: 12)
        var context = context
        context.logger[metadataKey: "request"] = .string(id)
        var forwarded = request
        if inbound != id {
            var head = request.head
            head.headerFields[Self.header] = id
            forwarded = Request(head: head, body: request.body)
        }
        var response = try await next(forwarded, context)
        response.headers[Self.header] = id
        return response
    }
}
