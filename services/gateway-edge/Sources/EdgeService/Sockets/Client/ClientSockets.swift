import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import Foundation
import Metrics

/// The `/ws/client` sockets of this edge and what they share: the registry of sockets and
/// rooms, presence, typing, catch-up on join, and the per-user limit on frames.
final class ClientSockets: Sendable {
    let runtime: Runtime
    let registry: ClientRegistry
    let rooms: RoomsDirectory
    let catchUp: RoomCatchUp
    let presence: Presence
    /// This edge's leases on the shared presence board (read by the Web Push sender).
    let presenceLease: PresenceLease
    let typing: Typing
    /// Chat sends waiting for the rooms service; sends are refused while it is full.
    let roomsBacklog: RoomsBacklog
    let limiter: RateLimiter
    let inbound: Counter
    /// Milliseconds before an unauthenticated socket is closed with 4001.
    let authTimeoutMs: Int

    var config: HubConfig { runtime.config }

    init(runtime: Runtime, rooms: RoomsDirectory, limiter: RateLimiter, inbound: Counter, authTimeoutMs: Int) {
        self.runtime = runtime
        self.rooms = rooms
        self.limiter = limiter
        self.inbound = inbound
        self.authTimeoutMs = authTimeoutMs
        registry = ClientRegistry(node: runtime.nodeId)
        catchUp = RoomCatchUp(registry: registry, rooms: rooms, logger: runtime.logger)
        presence = Presence(registry: registry, runtime: runtime)
        presenceLease = PresenceLease(registry: registry, runtime: runtime)
        typing = Typing(registry: registry, runtime: runtime)
        roomsBacklog = RoomsBacklog(runtime: runtime)
    }

    /// The per-user limit on client frames (`ws:rate:<userId>`, data-config-security §3.5):
    /// shared through Redis when present, and not halved in memory.
    /// `rateLimit.client.*` are read per frame: a saved change applies to the next frame.
    func allowFrame(from userId: String) async -> Bool {
        let settings = runtime.settings
        let max = settings.int("rateLimit.client.max")
        return await limiter.hit(key: "ws:rate:\(userId)", windowSeconds: settings.int("rateLimit.client.window"), max: max, memoryMax: max).allowed
    }

    /// A chat send: counted against the same limit, and appended to the rooms commands when
    /// within it; false when the limit refused it. With Redis as both limiter and bus the two
    /// are one script, one round trip (they were two for every message); when that fails, the
    /// count falls back as every frame's does and the append goes the ordinary way.
    func countThenAppendSend(from userId: String, _ payload: Data) async throws -> Bool {
        if runtime.bus is RedisBus, limiter.redis != nil {
            let settings = runtime.settings
            do {
                return try await limiter.countThenAppend(
                    key: "ws:rate:\(userId)", windowSeconds: settings.int("rateLimit.client.window"), max: settings.int("rateLimit.client.max"),
                    stream: BusStream.roomsCommands, fields: RedisBus.entryArguments(payload))
            } catch {
                runtime.logger.warning("counting and appending a send in one script failed, done apart: \(error)")
            }
        }
        guard await allowFrame(from: userId) else { return false }
        try await runtime.bus.append(BusStream.roomsCommands, payload)
        return true
    }

    /// A socket is gone: its rooms hear that its user stopped typing, and the user may go offline.
    func closed(_ id: String) async {
        let gone = await registry.remove(id)
        guard let userId = gone.userId, let username = gone.username else { return }
        await typing.stopped(userId: userId, username: username, rooms: gone.rooms)
        if gone.wasLast {
            await presenceLease.left(userId)
            presence.lastSocketClosed(userId: userId, username: username)
        }
    }
}
