import AgentIMCore
import AgentIMRuntime
import AgentIMTokens
import Logging
import Metrics
import ServiceLifecycle

/// The edge's sockets put together: the `/ws/client` sockets, the `/ws/gateway` sockets,
/// and the event router that follows the bus and delivers to both.
public final class ClientHub: Sendable {
    let runtime: Runtime
    /// Rate limits in Redis when the hub has it, else in memory: the HTTP buckets, the
    /// `ws_upgrade` bucket and the per-user limit on client frames.
    let limiter: RateLimiter
    let clients: ClientSockets
    let gateways: GatewaySockets
    let events: EventRouter

    var config: HubConfig { runtime.config }
    var tokens: TokenService { runtime.tokens }

    public init(runtime: Runtime, rooms: RoomsDirectory, agents: AgentsDirectory? = nil, authTimeoutMs: Int = 5000) {
        self.runtime = runtime
        limiter = RateLimiter(redis: runtime.redis, logger: runtime.logger, production: runtime.config.isProduction)
        let inbound = Counter(label: "agentim_ws_messages_total", dimensions: [("direction", "in")])
        clients = ClientSockets(runtime: runtime, rooms: rooms, limiter: limiter, inbound: inbound, authTimeoutMs: authTimeoutMs)
        gateways = GatewaySockets(runtime: runtime, agents: agents, inbound: inbound, authTimeoutMs: authTimeoutMs)
        events = EventRouter(runtime: runtime, clients: clients, gateways: gateways)
    }

    /// Delivers bus events to local sockets and closes revoked users' sockets.
    public var backgroundServices: [any Service] { events.followers + [clients.presenceLease, clients.roomsBacklog.service] }
}
