import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `permission_requests` in PostgreSQL (websocket §12): tool approvals any rooms replica can answer.
struct PermissionStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    /// A pending request as `server:permission_request` renders it.
    struct Pending: Sendable {
        var id, agentId, agentName, roomId, toolName: String
        var toolInput: JSONValue
        var expiresAt: Date
    }

    /// Pending requests other than `requestId`.
    func pendingCount(excluding requestId: String) async throws -> Int {
        for try await count in try await database.client.query(
            "SELECT count(*)::int FROM permission_requests WHERE status = 'pending' AND id <> \(requestId)", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    /// Stores a pending request; a repeated request id replaces the earlier entry.
    func upsert(_ request: PermissionRequest, agentName: String, expiresAt: Date) async throws {
        let input = try JSONCoding.encodeString(request.toolInput)
        try await database.client.query("""
            INSERT INTO permission_requests (id, agent_id, agent_name, room_id, tool_name, tool_input, status, expires_at)
            VALUES (\(request.requestId), \(request.agentId), \(agentName), \(request.roomId), \(request.toolName), \(input)::jsonb, 'pending', \(expiresAt))
            ON CONFLICT (id) DO UPDATE SET agent_id = EXCLUDED.agent_id, agent_name = EXCLUDED.agent_name, room_id = EXCLUDED.room_id,
                tool_name = EXCLUDED.tool_name, tool_input = EXCLUDED.tool_input, status = 'pending', expires_at = EXCLUDED.expires_at, created_at = now()
            """, logger: logger)
    }

    /// Marks the request answered if it is still pending, unexpired and in one of `rooms`;
    /// the agent it was for, nil when another answer (or the timer) came first.
    func answer(_ requestId: String, inRooms rooms: [String]) async throws -> String? {
        let rows = try await database.client.query("""
            UPDATE permission_requests SET status = 'answered'
            WHERE id = \(requestId) AND status = 'pending' AND expires_at > now() AND room_id = ANY(\(rooms))
            RETURNING agent_id
            """, logger: logger)
        for try await agentId in rows.decode(String.self) { return agentId }
        return nil
    }

    /// Marks every overdue request expired and returns them; forgets settled ones older than 10 minutes.
    func expire() async throws -> [(id: String, agentId: String, roomId: String)] {
        var expired: [(id: String, agentId: String, roomId: String)] = []
        let rows = try await database.client.query("""
            UPDATE permission_requests SET status = 'expired' WHERE status = 'pending' AND expires_at <= now() RETURNING id, agent_id, room_id
            """, logger: logger)
        for try await (id, agentId, roomId) in rows.decode((String, String, String).self) { expired.append((id, agentId, roomId)) }
        return expired
    }

    /// Forgets answered and expired requests after 10 minutes.
    func removeSettled() async throws {
        try await database.client.query("DELETE FROM permission_requests WHERE status <> 'pending' AND created_at < now() - interval '600 seconds'", logger: logger)
    }

    /// The room's pending, unexpired requests, oldest first.
    func pending(roomId: String) async throws -> [Pending] {
        var pending: [Pending] = []
        let rows = try await database.client.query("""
            SELECT id, agent_id, agent_name, room_id, tool_name, tool_input::text, expires_at FROM permission_requests
            WHERE room_id = \(roomId) AND status = 'pending' AND expires_at > now() ORDER BY created_at
            """, logger: logger)
        for try await (id, agentId, agentName, room, toolName, input, expiresAt) in rows.decode((String, String, String, String, String, String, Date).self) {
            let toolInput = (try? JSONDecoder().decode(JSONValue.self, from: Data(input.utf8))) ?? .object([:])
            pending.append(Pending(id: id, agentId: agentId, agentName: agentName, roomId: room, toolName: toolName,
                                   toolInput: toolInput, expiresAt: expiresAt))
        }
        return pending
    }
}
