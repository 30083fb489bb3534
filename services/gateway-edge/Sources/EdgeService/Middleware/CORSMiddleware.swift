import AgentIMHTTP
import HTTPTypes
import Hummingbird
import NIOHTTP1

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
        headers[.vary] = Self.vary(adding: headers[.vary])
    }

    /// The same on the proxy lane's HTTP/1.1 headers (a service's answer: it sets no CORS headers itself).
    func decorate(_ headers: inout HTTPHeaders, origin: String?) {
        guard let allowed = allowedOrigin(for: origin) else { return }
        headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: allowed)
        headers.replaceOrAdd(name: "Access-Control-Allow-Credentials", value: "true")
        headers.replaceOrAdd(name: "Vary", value: Self.vary(adding: headers.first(name: "vary")))
    }

    /// Keeps a Vary set inside (the web UI's `Accept-Encoding`).
    private static func vary(adding existing: String?) -> String {
        guard let existing, !existing.lowercased().contains("origin") else { return "Origin" }
        return existing + ", Origin"
    }
}
