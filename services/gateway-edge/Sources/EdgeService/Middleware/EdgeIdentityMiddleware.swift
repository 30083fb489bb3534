import AgentIMHTTP
import Hummingbird

/// The edge's `IdentityMiddleware`, ahead of its rate limits: the per-user buckets and
/// `/api/admin/metrics` read the caller from the context. In the single-process hub every
/// request gets it (the services' own middleware then reuses the outcome); the distributed
/// edge verifies only where it reads the caller itself, since the services verify again.
struct EdgeIdentityMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let identity: IdentityMiddleware
    let everyRequest: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard everyRequest || Self.edgeReadsCaller(request) else { return try await next(request, context) }
        return try await identity.handle(request, context: context, next: next)
    }

    static func edgeReadsCaller(_ request: Request) -> Bool {
        let path = request.uri.path
        return path == "/api/admin/metrics" || RateLimitBucket.route(method: request.method, path: path)?.identity == .user
    }
}
