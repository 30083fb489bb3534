import AgentIMCore
import AgentIMHTTP
import HTTPTypes
import Hummingbird

/// The HTTP rate limits of http-api §1.7. Two instances sit in the chain (§1.8): the global
/// `api` bucket before the body limit, and each route's own bucket after it, where the
/// original checks authentication first — so per-user buckets count only requests with a
/// valid access token (the service answers 401 to the others). The caller is the one
/// `EdgeIdentityMiddleware` put in the context; the address follows the edge's own `TRUST_PROXY`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    enum Stage: Sendable { case api, route }

    let stage: Stage
    let limiter: RateLimiter
    let trustProxy: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/"), request.method != .options else { return try await next(request, context) }
        let bucket: RateLimitBucket
        switch stage {
        case .api:
            bucket = .api
        case .route:
            guard let own = RateLimitBucket.route(method: request.method, path: path) else { return try await next(request, context) }
            bucket = own
        }
        let identity: String
        switch bucket.identity {
        case .ip:
            identity = ClientAddress.resolve(headers: request.headers, peer: context.remoteAddress, trustProxy: trustProxy)
        case .user:
            guard case .verified(let caller) = context.identity else { return try await next(request, context) }
            identity = RateLimitBucket.identity(forUser: caller.id)
        }
        let verdict = await limiter.hit(bucket, identity: identity)
        guard verdict.allowed else {
            var response = errorResponse(APIError(429, "Too many requests"))
            for (name, value) in verdict.headers { response.headers[name] = value }
            return response
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            // A route's refusal (a failed login's 401) is thrown past this middleware in the
            // single-process hub; it carries the headers like any other answer, as behind the proxy.
            response = errorResponse(error)
        }
        // The innermost limiter's headers win (data-config-security §3.5).
        for (name, value) in verdict.headers where response.headers[name] == nil { response.headers[name] = value }
        return response
    }
}
