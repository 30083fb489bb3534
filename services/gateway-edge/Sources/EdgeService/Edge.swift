import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// The public listener (DESIGN "The edge"): its middleware chain, its own routes and the
/// WebSocket endpoint. `agentim-edge` adds the reverse proxy; `agentim-server` mounts the
/// services' routes on the same router instead.
public enum Edge {
    /// Middleware in the spec's order, outermost first (http-api §1.8).
    public static func addMiddleware(to router: Router<HubRequestContext>, config: HubConfig) {
        router.middlewares.add(SecurityHeadersMiddleware(production: config.isProduction))
        router.middlewares.add(HubCORSMiddleware(origins: config.corsOrigins, production: config.isProduction))
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(ErrorEnvelopeMiddleware(production: config.isProduction))
        router.middlewares.add(BodyLimitMiddleware())
    }

    /// `/api/health` (aggregated, cached 2 s) and `/api/metrics`.
    public static func addRoutes(to router: Router<HubRequestContext>, health: @escaping @Sendable () async -> HealthReport) {
        router.get("/api/health") { _, _ -> Response in
            let report = await health()
            return jsonResponse(report, status: report.ok ? .ok : .serviceUnavailable)
        }
        router.get("/api/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: Telemetry.exposition())))
        }
    }

    public static func healthAggregator(probes: [@Sendable () async -> [String: Bool]]) -> @Sendable () async -> HealthReport {
        let aggregator = HealthAggregator(probes: probes)
        return { await aggregator.report() }
    }

    /// The HTTP/1.1 server with WebSocket upgrade on `/ws/client`.
    public static func server(hub: ClientHub) -> HTTPServerBuilder {
        let sockets = Router(context: BasicWebSocketRequestContext.self)
        sockets.ws("/ws/client") { inbound, outbound, context in
            await ClientSession(hub: hub).run(inbound: inbound, outbound: outbound, logger: context.logger)
        }
        return .http1WebSocketUpgrade(
            webSocketRouter: sockets,
            configuration: .init(maxFrameSize: 16 << 20, autoPing: .disabled))
    }
}
