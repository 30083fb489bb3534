import AgentIMHTTP
import Foundation
import AgentIMRuntime
import HTTPTypes
import Hummingbird
import NIOHTTP1
import Synchronization

/// CORS of http-api §1.8: the request's Origin when listed, else the first configured
/// origin; credentials allowed; preflight answered with 204 before anything else.
struct HubCORSMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let list: CORSOrigins
    let production: Bool

    /// `origins`: the environment's list. `settings`: where the admin's `cors.origin` lives; it
    /// takes effect at every load of the stored settings (at start and after each change).
    init(origins: [String], production: Bool, settings: RuntimeSettings? = nil) {
        list = CORSOrigins(fallback: origins, settings: settings)
        self.production = production
    }

    var origins: [String] { list.current }

    func allowedOrigin(for origin: String?) -> String? {
        let origins = list.current
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

/// The allowed origins (data-config-security §2.4: the stored setting over the environment):
/// the admin's `cors.origin` when one is stored, else `CORS_ORIGIN` as the configuration read it
/// (with the platform detection and the default). Parsed once per settings load, not per request.
final class CORSOrigins: Sendable {
    private let fallback: [String]
    private let origins: Mutex<[String]>

    init(fallback: [String], settings: RuntimeSettings?) {
        self.fallback = fallback
        origins = Mutex(fallback)
        guard let settings else { return }
        update(settings)
        settings.onChange { [weak self] settings in self?.update(settings) }
    }

    var current: [String] { origins.withLock { $0 } }

    private func update(_ settings: RuntimeSettings) {
        // An empty stored value is allowed (§2.4 PUT): it lists no origin.
        let list = settings.storedValue("cors.origin").map(Self.parse) ?? fallback
        origins.withLock { $0 = list }
    }

    static func parse(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
