import AgentIMHTTP
import HTTPTypes
import Hummingbird

/// CORS of http-api §1.8: the request's Origin when listed, else the first configured
/// origin; credentials allowed; preflight answered with 204 before anything else.
struct HubCORSMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let origins: [String]
    let production: Bool

    func allowedOrigin(for origin: String?) -> String? {
        if origins.isEmpty { return production ? nil : origin }
        if let origin, origins.contains(origin) { return origin }
        return origins.first
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin]
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var response = Response(status: .noContent)
            decorate(&response.headers, origin: origin)
            response.headers[.accessControlAllowMethods] = "GET,HEAD,PUT,POST,DELETE,PATCH"
            if let requested = request.headers[.accessControlRequestHeaders] {
                response.headers[.accessControlAllowHeaders] = requested
            }
            return response
        }
        var response = try await next(request, context)
        decorate(&response.headers, origin: origin)
        return response
    }

    func decorate(_ headers: inout HTTPFields, origin: String?) {
        guard let allowed = allowedOrigin(for: origin) else { return }
        headers[.accessControlAllowOrigin] = allowed
        headers[.accessControlAllowCredentials] = "true"
        // Keeps a Vary set inside (the web UI's `Accept-Encoding`).
        if let vary = headers[.vary], !vary.lowercased().contains("origin") {
            headers[.vary] = vary + ", Origin"
        } else {
            headers[.vary] = "Origin"
        }
    }
}
