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
    let rooms: RoomsDirectory
    /// Rate limits in Redis when the hub has it, else in memory: the HTTP buckets, the
    /// `ws_upgrade` bucket and the per-user limit on client frames.
    let limiter: RateLimiter
    let typingDebounce = FixedWindows()
    /// `/ws/gateway` sockets here and the agents bound to them.
    let gateways = GatewayRegistry()
    /// What rooms answers about gateways and agents; without it `gateway:auth` goes unanswered.
    let agents: AgentsDirectory?
    let gatewaySockets = GatewaySocketCount()
    /// Workspace requests asked from this edge, waiting for the gateway's answer.
    let workspaceRequests = WorkspaceRequests()
    let presence: PresenceTracker
    let inboundCounter = Counter(label: "agentim_ws_messages_total", dimensions: [("direction", "in")])
    let messageCounter = MessageCounter()
    /// Milliseconds before an unauthenticated socket is closed with 4001.
    let authTimeoutMs: Int

    var config: HubConfig { runtime.config }
    var bus: any Bus { runtime.bus }
    var tokens: TokenService { runtime.tokens }
    var logger: Logger { runtime.logger }
    var node: String { runtime.nodeId }

    /// Most messages replayed on a join; beyond that the client is told to reload history.
    static let catchUpLimit = 500

    public init(runtime: Runtime, rooms: RoomsDirectory, agents: AgentsDirectory? = nil, authTimeoutMs: Int = 5000) {
        self.runtime = runtime
        self.rooms = rooms
        self.agents = agents
        self.authTimeoutMs = authTimeoutMs
        registry = ClientRegistry(node: runtime.nodeId)
        limiter = RateLimiter(redis: runtime.redis, logger: runtime.logger, production: runtime.config.isProduction)
        presence = PresenceTracker()
    }

    func countInbound() { inboundCounter.increment() }

    var gatewayHandler: GatewayHandler? { agents.map { GatewayHandler(hub: self, agents: $0) } }

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

    /// Joins a socket to a room and replays what it missed after `lastSeq` (or, without
    /// one, what arrived while it was joining), before any live message of the room.
    func join(socket: String, room: String, lastSeq: Int64?, latestSeq: Int64) async throws {
        let start = lastSeq ?? latestSeq
        guard await registry.join(socket, room: room, lastSeq: start) else { return }
        do {
            let missed = try await rooms.messagesAfter(room, start, Self.catchUpLimit)
            if missed.count >= Self.catchUpLimit {
                await registry.send(socket, .text(ServerFrame.historyGap(roomId: room, lastSeq: start, latestSeq: latestSeq)))
                await registry.finishFill(socket, room: room, messages: [], latestSeq: latestSeq)
            } else {
                await registry.finishFill(socket, room: room, messages: missed.map { ($0.seq ?? 0, ServerFrame.newMessage($0)) })
            }
        } catch {
            await registry.finishFill(socket, room: room, messages: [])
            throw error
        }
    }

    /// Fills a hole in one socket's sequence from the store, after giving the missing
    /// announcement a moment to arrive on the bus by itself.
    func fill(_ gap: ClientRegistry.Gap) {
        let registry = self.registry
        let rooms = self.rooms
        let logger = self.logger
        Task {
            try? await Task.sleep(for: .milliseconds(200))
            guard let from = await registry.cursor(gap.socket, room: gap.room) else { return }
            do {
                let missed = try await rooms.messagesAfter(gap.room, from, Self.catchUpLimit)
                await registry.finishFill(gap.socket, room: gap.room, messages: missed.map { ($0.seq ?? 0, ServerFrame.newMessage($0)) })
            } catch {
                logger.warning("gap fill for room \(gap.room) failed: \(error)")
                await registry.finishFill(gap.socket, room: gap.room, messages: [])
            }
        }
    }

    /// Delivers bus events to local sockets and closes revoked users' sockets.
    public var services: [any Service] {
        let registry = self.registry
        let gateways = self.gateways
        let workspaceRequests = self.workspaceRequests
        let node = self.node
        let logger = self.logger
        return [
            EventFollower(bus: bus, stream: BusStream.events, logger: logger) { [self] entry in
                guard let delivery = try? JSONDecoder().decode(Delivery.self, from: entry.payload) else { return }
                switch delivery.audience {
                case .agent, .gateway: await gateways.deliver(delivery.audience, frame: delivery.frame)
                case .workspaceRequest(let requestId):
                    guard let asker = await workspaceRequests.take(requestId) else { return }
                    await registry.send(toUser: asker.userId, joined: asker.roomId, delivery.frame)
                default:
                    messageCounter.count(delivery)
                    for gap in await registry.deliver(delivery) { fill(gap) }
                }
            },
            EventFollower(bus: bus, stream: BusStream.control, logger: logger) { entry in
                guard let event = try? JSONDecoder().decode(ControlEvent.self, from: entry.payload) else { return }
                switch event {
                case .tokensRevoked(let userId, _):
                    await registry.revoke(userId: userId)
                    await gateways.revoke(userId: userId)
                case .evicted(let roomId, let userId): await registry.evict(userId: userId, room: roomId)
                case .agentBound(let agentId, let socket): await gateways.release(agentId, unless: socket.node == node ? socket.socket : nil)
                case .membershipChanged: await gateways.forgetPlacements()
                default: break
                }
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
