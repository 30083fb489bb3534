import AgentIMHTTP
import HTTPTypes
import Hummingbird
import NIOHTTP1

/// The security headers of http-api §1.8 on every response, applied after the handler so
/// they win over same-named headers from inside; CSP and Permissions-Policy in production.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let production: Bool

    static let common: [(HTTPField.Name, String)] = [
            (HTTPField.Name("Cross-Origin-Resource-Policy")!, "same-origin"),
            (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
            (HTTPField.Name("Origin-Agent-Cluster")!, "?1"),
            (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
            (HTTPField.Name("Strict-Transport-Security")!, "max-age=15552000; includeSubDomains"),
            (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
            (HTTPField.Name("X-DNS-Prefetch-Control")!, "off"),
            (HTTPField.Name("X-Download-Options")!, "noopen"),
            (HTTPField.Name("X-Frame-Options")!, "SAMEORIGIN"),
            (HTTPField.Name("X-Permitted-Cross-Domain-Policies")!, "none"),
            (HTTPField.Name("X-XSS-Protection")!, "0"),
    ]

    static let poweredBy = HTTPField.Name("X-Powered-By")!
    static let permissionsPolicy = HTTPField.Name("Permissions-Policy")!
    static let securityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; worker-src 'self'; manifest-src 'self'; upgrade-insecure-requests"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers, production: production)
        return response
    }

    /// The headers `apply` sets, ready to append to headers that have none of them (the lane
    /// builds its answers that way: one append, no search per header).
    /// `lowercased`: with the names as HTTP/2 sends them.
    static func block(production: Bool, lowercased: Bool = false) -> HTTPHeaders {
        switch (production, lowercased) {
        case (false, false): developmentBlock
        case (true, false): productionBlock
        case (false, true): developmentBlockLowercased
        case (true, true): productionBlockLowercased
        }
    }
    // Built once: appending a whole block copies its pairs and checks none of the names again.
    private static let developmentBlock = HTTPHeaders(common.map { ($0.0.rawName, $0.1) })
    private static let productionBlock = HTTPHeaders((common + productionOnly).map { ($0.0.rawName, $0.1) })
    private static let developmentBlockLowercased = HTTPHeaders(common.map { ($0.0.canonicalName, $0.1) })
    private static let productionBlockLowercased = HTTPHeaders((common + productionOnly).map { ($0.0.canonicalName, $0.1) })
    /// CSP and Permissions-Policy: production only.
    static let productionOnly: [(HTTPField.Name, String)] = [
        (permissionsPolicy, "camera=(), microphone=(), geolocation=(), payment=()"),
        (securityPolicy, contentSecurityPolicy),
    ]

    /// The names `apply` sets or removes, lower-cased: a service's own values for them never pass.
    static func names(production: Bool) -> Set<String> {
        Set((common + (production ? productionOnly : [])).map(\.0.canonicalName) + [poweredBy.canonicalName])
    }

    static func apply(to headers: inout HTTPFields, production: Bool) {
        for (name, value) in common { headers[name] = value }
        headers[poweredBy] = nil
        if production {
            for (name, value) in productionOnly { headers[name] = value }
        }
    }
}
