import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import AgentIMTokens
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Everything the edge's client sockets share: the registry, the bus, token checks, limits,
/// and the follower that delivers bus events to local sockets.
public final class ClientHub: Sendable {
    let runtime: Runtime
    let registry: ClientRegistry
    let roomAccess: RoomAccessLookup
    /// Rate limits in Redis when the hub has it, else in memory: the HTTP buckets, the
    /// `ws_upgrade` bucket and the per-user limit on client frames.
    let limiter: RateLimiter
    let typingDebounce = FixedWindows()
    /// The gateway protocol (`gateway:auth` and after), when this build has it.
    let gatewayProtocol: (any GatewayProtocol)?
    let gatewaySockets = GatewaySocketCount()
    let presence: PresenceTracker
    let inboundCounter = Counter(label: "agentim_ws_messages_total", dimensions: [("direction", "in")])
    /// Milliseconds before an unauthenticated socket is closed with 4001.
    let authTimeoutMs: Int

    var config: HubConfig { runtime.config }
    var bus: any Bus { runtime.bus }
    var tokens: TokenService { runtime.tokens }
    var logger: Logger { runtime.logger }
    var node: String { runtime.nodeId }

    public init(runtime: Runtime, roomAccess: RoomAccessLookup, gatewayProtocol: (any GatewayProtocol)? = nil, authTimeoutMs: Int = 5000) {
        self.runtime = runtime
        self.roomAccess = roomAccess
        self.gatewayProtocol = gatewayProtocol
        self.authTimeoutMs = authTimeoutMs
        registry = ClientRegistry(node: runtime.nodeId)
        limiter = RateLimiter(redis: runtime.redis, logger: runtime.logger, production: runtime.config.isProduction)
        presence = PresenceTracker()
    }

    func countInbound() { inboundCounter.increment() }

    /// The per-user limit on client frames (`ws:rate:<userId>`, data-config-security §3.5):
    /// shared through Redis when present, and not halved in memory.
    func allowMessage(from userId: String) async -> Bool {
        let max = config.clientRateLimitMax
        return await limiter.hit(key: "ws:rate:\(userId)", windowSeconds: config.clientRateLimitWindow, max: max, memoryMax: max).allowed
    }

    func deliver(_ delivery: Delivery) async throws { try await runtime.deliver(delivery) }

    func userCameOnline(_ user: AuthenticatedUser) async {
        guard await presence.cameOnline(user.id) else { return }
        try? await deliver(Delivery(audience: .all, frame: ServerFrame.presence(userId: user.id, username: user.username, online: true)))
    }

    func socketClosed(_ id: String) async {
        let gone = await registry.remove(id)
        guard let userId = gone.userId, let username = gone.username else { return }
        for room in gone.rooms {
            try? await deliver(Delivery(audience: .room(room), frame: ServerFrame.typing(roomId: room, userId: userId, username: username)))
        }
        guard gone.wasLast else { return }
        // Offline only if no socket of the user came back within 2 s (websocket §13.2).
        let registry = self.registry
        let presence = self.presence
        Task {
            try? await Task.sleep(for: .seconds(2))
            guard await registry.connections(of: userId) == 0, await presence.wentOffline(userId) else { return }
            try? await self.deliver(Delivery(audience: .all, frame: ServerFrame.presence(userId: userId, username: username, online: false)))
        }
    }

    /// Delivers bus events to local sockets and closes revoked users' sockets.
    public var services: [any Service] {
        let registry = self.registry
        let logger = self.logger
        return [
            EventFollower(bus: bus, stream: BusStream.events, logger: logger) { entry in
                guard let delivery = try? JSONDecoder().decode(Delivery.self, from: entry.payload) else { return }
                await registry.deliver(delivery)
            },
            EventFollower(bus: bus, stream: BusStream.control, logger: logger) { entry in
                guard let event = try? JSONDecoder().decode(ControlEvent.self, from: entry.payload) else { return }
                if case .tokensRevoked(let userId, _) = event { await registry.revoke(userId: userId) }
            },
        ]
    }
}

/// Who this edge has announced online, so each change is announced once.
actor PresenceTracker {
    private var online: Set<String> = []
    func cameOnline(_ userId: String) -> Bool { online.insert(userId).inserted }
    func wentOffline(_ userId: String) -> Bool { online.remove(userId) != nil }
}
