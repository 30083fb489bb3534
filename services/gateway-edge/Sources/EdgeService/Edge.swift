import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import AgentIMTokens
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The public listener (DESIGN "The edge"), which replaces the original's nginx: transports
/// (HTTP/1.1, h2 over TLS, h2c, WebSocket), the middleware chain, the edge's own routes and
/// the web UI. `agentim-edge` (`distributed(runtime:)`) adds the reverse proxy to the services
/// of its `topology`; `agentim-server` mounts the services' routes on the same router instead.
public struct Edge: HubService {
    public let hub: ClientHub
    let config: HubConfig
    let tls: NIOSSLContext?
    let metrics: EdgeMetrics
    let webUI: WebUI?
    /// `/api/health`: every process's checks (see `healthAggregator`).
    let health: @Sendable () async -> HealthReport
    /// The caller's site role for `/api/admin/metrics`, which the auth service answers (`calls`).
    let roleOf: @Sendable (_ userId: String) async throws -> String?
    /// The services behind this edge when they run in processes of their own.
    let topology: RemoteTopology?

    /// Loads the certificate (when configured) and finds the web UI; a bad certificate
    /// stops the process with one line. `calls` reaches the other services (the auth service's role lookup).
    public init(hub: ClientHub, health: @escaping @Sendable () async -> HealthReport, calls: InternalClient, topology: RemoteTopology? = nil) throws {
        self.hub = hub
        config = hub.config
        tls = try Self.tlsContext(config)
        metrics = EdgeMetrics(hub: hub)
        webUI = WebUI(directory: config.webDir)
        self.health = health
        roleOf = { userId in try await calls.call(InternalRoutes.userRole, UserRef(userId: userId)) }
        self.topology = topology
    }

    /// `agentim-edge`: the public listener in front of services reached over internal HTTP.
    public static func distributed(runtime: Runtime) throws -> Edge {
        let topology = try RemoteTopology(config: runtime.config)
        let hub = ClientHub(runtime: runtime, rooms: topology.rooms, agents: topology.agents)
        let ownChecks: @Sendable () async -> [String: Bool] = { await runtime.healthChecks() }
        return try Edge(hub: hub, health: healthAggregator(probes: topology.healthProbes + [ownChecks]),
                        calls: topology.calls, topology: topology)
    }

    /// The distributed edge refuses a missing service URL before it connects anywhere.
    public static func checkEnvironment(_ config: HubConfig) throws {
        _ = try UpstreamTable(config: config)
    }

    /// The edge owns no tables.
    public static var usesDatabase: Bool { false }

    public var runtime: Runtime { hub.runtime }

    /// The socket followers, and the proxy's HTTP client when there is one.
    public var backgroundServices: [any Service] {
        hub.backgroundServices + (topology.map { [$0.service] } ?? [])
    }

    /// The distributed edge has the auth service's revocations and settings before it serves.
    public func prepare() async throws {
        try await topology?.loadRevocations(into: runtime)
        await topology?.loadSettings(into: runtime)
    }

    /// The edge's process: its middleware, the reverse proxy to `topology`, its own routes.
    public func makeApp() -> HubApp {
        let router = Router(context: HubRequestContext.self)
        addMiddleware(to: router)
        if let topology { router.middlewares.add(topology.proxy(config: config, secure: isSecure)) }
        addRoutes(to: router)
        return HubApp(runtime: runtime, router: router, services: backgroundServices, server: server(proxyingTo: topology)) {
            try await prepare()
        }
    }

    /// Whether clients reach this edge over TLS.
    public var isSecure: Bool { tls != nil }

    /// Middleware in the spec's order, outermost first (http-api §1.8): security headers,
    /// CORS, request id (and timing), errors, the caller's identity, the `api` rate limit, the body limit, the
    /// routes' own rate limits; the web UI answers whatever nothing inside did.
    public func addMiddleware(to router: Router<HubRequestContext>) {
        router.middlewares.add(SecurityHeadersMiddleware(production: config.isProduction))
        router.middlewares.add(HubCORSMiddleware(origins: config.corsOrigins, production: config.isProduction, settings: runtime.settings))
        router.middlewares.add(RequestIDMiddleware())
        if Traces.isEnabled { router.middlewares.add(TracingMiddleware(recordingHeaders: [RequestIDMiddleware.header])) }
        router.middlewares.add(RequestMetricsMiddleware(metrics: metrics))
        router.middlewares.add(ErrorEnvelopeMiddleware(production: config.isProduction))
        router.middlewares.add(ErrorReportingMiddleware(reporter: runtime.errors))
        let trustProxy = config.trustProxy
        let identity = IdentityMiddleware(tokens: hub.tokens, roleOf: roleOf, trustProxy: { trustProxy }, behindEdge: false)
        router.middlewares.add(EdgeIdentityMiddleware(identity: identity, everyRequest: topology == nil))
        if config.rateLimitsEnabled {
            router.middlewares.add(RateLimitMiddleware(stage: .api, limiter: hub.limiter, trustProxy: trustProxy))
        }
        router.middlewares.add(BodyLimitMiddleware())
        if config.rateLimitsEnabled {
            router.middlewares.add(RateLimitMiddleware(stage: .route, limiter: hub.limiter, trustProxy: trustProxy))
        }
        if let webUI { router.middlewares.add(WebUIMiddleware(ui: webUI)) }
    }

    /// `/api/health` (aggregated, cached 2 s), `/api/metrics`, `/api/admin/metrics` (the
    /// caller's role from `roleOf`), and the WebSocket paths for requests that are not upgrades.
    public func addRoutes(to router: Router<HubRequestContext>) {
        let health = self.health
        router.get("/api/health") { _, _ -> Response in
            let report = await health()
            return jsonResponse(report, status: report.ok ? .ok : .serviceUnavailable)
        }
        let metrics = self.metrics
        let tokens = hub.tokens
        let settings = runtime.settings
        router.get("/api/metrics") { request, _ -> Response in
            if settings.bool("metrics.authEnabled"), let refusal = await Self.metricsRefusal(request.headers[.authorization], tokens: tokens) {
                return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: refusal)))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: await metrics.exposition())))
        }
        let admin = AdminMetrics(metrics: metrics, redisEnabled: config.redisURL != nil)
        router.get("/api/admin/metrics") { _, context in try await admin.respond(context) }
        APIDocs.addRoutes(to: router)
        for endpoint in [SocketEndpoint.client, .gateway] {
            router.get(RouterPath(endpoint.rawValue)) { _, _ -> Response in
                var response = errorResponse(APIError(426, "Upgrade Required"))
                response.headers[.upgrade] = "websocket"
                response.headers[.connection] = "close"
                return response
            }
        }
    }

    /// The plain-text 401 of `/api/metrics` when `metrics.authEnabled` is on (http-api §2).
    static func metricsRefusal(_ authorization: String?, tokens: TokenService) async -> String? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return "Unauthorized" }
        do {
            _ = try await tokens.verifyAccess(String(authorization.dropFirst(7)))
            return nil
        } catch .wrongType {
            return "Invalid token type"
        } catch .revoked {
            return "Token has been revoked"
        } catch {
            return "Invalid or expired token"
        }
    }

    public static func healthAggregator(probes: [@Sendable () async -> [String: Bool]]) -> @Sendable () async -> HealthReport {
        let aggregator = HealthAggregator(probes: probes)
        return { await aggregator.report() }
    }

    /// The listener: see `EdgeChannel`. With `topology`, HTTP/1.1 requests for the services
    /// mostly take the proxy lane (`ProxyLane`).
    public func server(proxyingTo topology: RemoteTopology? = nil) -> HTTPServerBuilder {
        let gate = UpgradeGate(limiter: config.rateLimitsEnabled ? hub.limiter : nil,
                               origins: CORSOrigins(fallback: config.corsOrigins, settings: runtime.settings),
                               trustProxy: config.trustProxy)
        let sessions = SocketSessions(hub: hub)
        let tls = self.tls
        let lane = topology.map(laneSettings)
        let budget = ConnectionBudget.fromFileLimit()
        return HTTPServerBuilder { responder in
            EdgeChannel(responder: responder, tls: tls, gate: gate, sessions: sessions, lane: lane, budget: budget)
        }
    }

    func laneSettings(_ topology: RemoteTopology) -> ProxyLaneSettings {
        var addresses: [UpstreamTable.Service: ProxyLaneSettings.Address] = [:]
        for (service, url) in topology.upstreams.urls where URLComponents(string: url.base)?.path.isEmpty ?? false {
            // A service mounted under a path prefix is left to the middleware.
            addresses[service] = .init(host: url.host, port: url.port)
        }
        let upstreamTimeout = TimeAmount.seconds(Int64(config.upstreamTimeoutSeconds))
        return ProxyLaneSettings(
            addresses: addresses, pool: UpstreamPool(upstreamTimeout: upstreamTimeout), trustProxy: config.trustProxy, production: config.isProduction,
            cors: HubCORSMiddleware(origins: config.corsOrigins, production: config.isProduction, settings: runtime.settings),
            limiter: config.rateLimitsEnabled ? hub.limiter : nil, metrics: metrics,
            upstreamTimeout: upstreamTimeout, logger: Logger(label: "agentim.edge.proxy"))
    }

    static func tlsContext(_ config: HubConfig) throws -> NIOSSLContext? {
        guard let certificatePath = config.tlsCertFile, let keyPath = config.tlsKeyFile else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw ConfigError("no certificate in it") }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tls.applicationProtocols = ["h2", "http/1.1"]
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw ConfigError("TLS_CERT_FILE/TLS_KEY_FILE cannot be used: \(error)")
        }
    }
}
