import AgentIMCore
import AgentIMRuntime
import Foundation
import Logging
import ServiceLifecycle

/// Tool approvals (websocket §12), kept in PostgreSQL so that any rooms replica can take the
/// answer, the first answer wins by one conditional UPDATE, a gateway that reconnects (to
/// any edge) still gets the outcome, and a socket that joins late sees what is pending.
struct PermissionDesk: Sendable {
    let service: RoomsService
    var runtime: Runtime { service.runtime }
    var store: PermissionStore { PermissionStore(database: service.agents.database) }
    var logger: Logger { service.agents.logger }

    /// Pending requests beyond this are denied at once (§12 step 3).
    static let capacity = 1000

    func requested(_ request: PermissionRequest) async throws {
        guard let agent = try await service.agents.find(request.agentId) else { return }
        if try await store.pendingCount(excluding: request.requestId) >= Self.capacity {
            return try await toAgent(request.agentId, AgentFrames.permissionResponse(requestId: request.requestId, agentId: request.agentId, decision: "deny"))
        }
        let timeout = min(request.timeoutMs, 300_000)
        let expiresAt = Date(timeIntervalSinceNow: Double(timeout) / 1000)
        // A repeated request id replaces the earlier entry (and its timer).
        try await store.upsert(request, agentName: agent.name, expiresAt: expiresAt)
        try await runtime.deliver(Delivery(audience: .room(request.roomId), frame: AgentFrames.permissionRequest(
            requestId: request.requestId, agentId: request.agentId, agentName: agent.name, roomId: request.roomId,
            toolName: request.toolName, toolInput: request.toolInput, expiresAt: Timestamp.format(expiresAt))))
    }

    /// The first answer from a socket joined to the request's room wins; others are ignored.
    func answered(requestId: String, decision: String, denyReason: String?, joinedRooms: [String]) async throws {
        if let agentId = try await store.answer(requestId, inRooms: joinedRooms) {
            try await toAgent(agentId, AgentFrames.permissionResponse(requestId: requestId, agentId: agentId, decision: decision, denyReason: denyReason))
        }
    }

    /// Expired requests: the gateway gets `timeout`, the room `server:permission_request_expired`.
    func expire() async throws {
        for (id, agentId, roomId) in try await store.expire() {
            try await toAgent(agentId, AgentFrames.permissionResponse(requestId: id, agentId: agentId, decision: "timeout"))
            try await runtime.deliver(Delivery(audience: .room(roomId), frame: AgentFrames.permissionExpired(id)))
        }
    }

    /// Rendered `server:permission_request` frames still pending in a room.
    func pending(roomId: String) async throws -> [String] {
        try await store.pending(roomId: roomId).map {
            AgentFrames.permissionRequest(requestId: $0.id, agentId: $0.agentId, agentName: $0.agentName, roomId: $0.roomId,
                                          toolName: $0.toolName, toolInput: $0.toolInput, expiresAt: Timestamp.format($0.expiresAt))
        }
    }

    private func toAgent(_ agentId: String, _ frame: String) async throws {
        try await runtime.deliver(Delivery(audience: .agent(agentId), frame: frame))
    }

    /// Fires timers: every rooms replica sweeps each 500 ms; the UPDATE hands each expiry to one.
    /// Settled requests are removed once a minute: they stay 10 minutes, and deleting none of them
    /// twice a second was one of the two statements of every sweep.
    struct Timer: Service {
        let desk: PermissionDesk
        static let sweepsPerCleanup = 120
        func run() async throws {
            // The first sweep waits for the schema: on a fresh database the pool runs before the migrations.
            try? await cancelWhenGracefulShutdown { await desk.runtime.schemaReady.wait() }
            var sweeps = 0
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    try await desk.expire()
                    if sweeps % Self.sweepsPerCleanup == 0 { try await desk.store.removeSettled() }
                } catch {
                    desk.logger.warning("permission expiry sweep failed: \(error)")
                }
                sweeps += 1
                // A graceful shutdown ends the pause at once (no wait for the next sweep).
                try? await cancelWhenGracefulShutdown { try await LoopSleep.for(.milliseconds(500)) }
            }
        }
    }
}
