import AgentIMCore
import AgentIMRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Tool approvals (websocket §12), kept in PostgreSQL so that any rooms replica can take the
/// answer, the first answer wins by one conditional UPDATE, a gateway that reconnects (to
/// any edge) still gets the outcome, and a socket that joins late sees what is pending.
struct PermissionDesk: Sendable {
    let service: RoomsService
    var runtime: Runtime { service.runtime }
    var database: PostgresClient { service.agents.database.client }
    var logger: Logger { service.agents.logger }

    /// Pending requests beyond this are denied at once (§12 step 3).
    static let capacity = 1000

    func requested(_ request: PermissionRequest) async throws {
        guard let agent = try await service.agents.find(request.agentId) else { return }
        var pending = 0
        for try await count in try await database.query("SELECT count(*)::int FROM permission_requests WHERE status = 'pending' AND id <> \(request.requestId)", logger: logger).decode(Int.self) {
            pending = count
        }
        if pending >= Self.capacity {
            return try await toAgent(request.agentId, AgentFrames.permissionResponse(requestId: request.requestId, agentId: request.agentId, decision: "deny"))
        }
        let timeout = min(request.timeoutMs, 300_000)
        let expiresAt = Date(timeIntervalSinceNow: Double(timeout) / 1000)
        let input = try JSONCoding.encodeString(request.toolInput)
        // A repeated request id replaces the earlier entry (and its timer).
        try await database.query("""
            INSERT INTO permission_requests (id, agent_id, agent_name, room_id, tool_name, tool_input, status, expires_at)
            VALUES (\(request.requestId), \(request.agentId), \(agent.name), \(request.roomId), \(request.toolName), \(input)::jsonb, 'pending', \(expiresAt))
            ON CONFLICT (id) DO UPDATE SET agent_id = EXCLUDED.agent_id, agent_name = EXCLUDED.agent_name, room_id = EXCLUDED.room_id,
                tool_name = EXCLUDED.tool_name, tool_input = EXCLUDED.tool_input, status = 'pending', expires_at = EXCLUDED.expires_at, created_at = now()
            """, logger: logger)
        try await runtime.deliver(Delivery(audience: .room(request.roomId), frame: AgentFrames.permissionRequest(
            requestId: request.requestId, agentId: request.agentId, agentName: agent.name, roomId: request.roomId,
            toolName: request.toolName, toolInput: request.toolInput, expiresAt: Timestamp.format(expiresAt))))
    }

    /// The first answer from a socket joined to the request's room wins; others are ignored.
    func answered(requestId: String, decision: String, denyReason: String?, joinedRooms: [String]) async throws {
        let rows = try await database.query("""
            UPDATE permission_requests SET status = 'answered'
            WHERE id = \(requestId) AND status = 'pending' AND expires_at > now() AND room_id = ANY(\(joinedRooms))
            RETURNING agent_id
            """, logger: logger)
        for try await agentId in rows.decode(String.self) {
            try await toAgent(agentId, AgentFrames.permissionResponse(requestId: requestId, agentId: agentId, decision: decision, denyReason: denyReason))
        }
    }

    /// Expired requests: the gateway gets `timeout`, the room `server:permission_request_expired`.
    func expire() async throws {
        let rows = try await database.query("""
            UPDATE permission_requests SET status = 'expired' WHERE status = 'pending' AND expires_at <= now() RETURNING id, agent_id, room_id
            """, logger: logger)
        for try await (id, agentId, roomId) in rows.decode((String, String, String).self) {
            try await toAgent(agentId, AgentFrames.permissionResponse(requestId: id, agentId: agentId, decision: "timeout"))
            try await runtime.deliver(Delivery(audience: .room(roomId), frame: AgentFrames.permissionExpired(id)))
        }
        try await database.query("DELETE FROM permission_requests WHERE status <> 'pending' AND created_at < now() - interval '600 seconds'", logger: logger)
    }

    /// Rendered `server:permission_request` frames still pending in a room.
    func pending(roomId: String) async throws -> [String] {
        var frames: [String] = []
        let rows = try await database.query("""
            SELECT id, agent_id, agent_name, room_id, tool_name, tool_input::text, expires_at FROM permission_requests
            WHERE room_id = \(roomId) AND status = 'pending' AND expires_at > now() ORDER BY created_at
            """, logger: logger)
        for try await (id, agentId, agentName, room, toolName, input, expiresAt) in rows.decode((String, String, String, String, String, String, Date).self) {
            let toolInput = (try? JSONDecoder().decode(JSONValue.self, from: Data(input.utf8))) ?? .object([:])
            frames.append(AgentFrames.permissionRequest(requestId: id, agentId: agentId, agentName: agentName, roomId: room,
                                                        toolName: toolName, toolInput: toolInput, expiresAt: Timestamp.format(expiresAt)))
        }
        return frames
    }

    private func toAgent(_ agentId: String, _ frame: String) async throws {
        try await runtime.deliver(Delivery(audience: .agent(agentId), frame: frame))
    }

    /// Fires timers: every rooms replica sweeps each 500 ms; the UPDATE hands each expiry to one.
    struct Timer: Service {
        let desk: PermissionDesk
        func run() async throws {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    try await desk.expire()
                } catch {
                    desk.logger.warning("permission expiry sweep failed: \(error)")
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
