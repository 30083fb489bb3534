import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `routing_decisions`: one row per routed message, written before the decision leaves,
/// marked once it is on the rooms stream.
struct RoutingDecisionStore: Sendable {
    struct Decision: Sendable, Equatable {
        var agentIds: [String]
        var published: Bool
    }

    let database: Database
    var logger: Logger { database.logger }

    func find(_ messageId: String) async throws -> Decision? {
        let rows = try await database.client.query("""
            SELECT agent_ids::text, published_at IS NOT NULL FROM routing_decisions WHERE message_id = \(messageId)
            """, logger: logger)
        for try await (ids, published) in rows.decode((String, Bool).self) {
            return Decision(agentIds: (try? JSONDecoder().decode([String].self, from: Data(ids.utf8))) ?? [], published: published)
        }
        return nil
    }

    /// Records the decision unless one exists (another process got there first); returns the stored one.
    func record(messageId: String, roomId: String, agentIds: [String]) async throws -> Decision {
        let json = String(decoding: try JSONEncoder().encode(agentIds), as: UTF8.self)
        // Nothing to publish for an empty list: it is born published.
        let published = agentIds.isEmpty
        try await database.client.query("""
            INSERT INTO routing_decisions (message_id, room_id, agent_ids, published_at)
            VALUES (\(messageId), \(roomId), \(json)::jsonb, CASE WHEN \(published) THEN now() END)
            ON CONFLICT (message_id) DO NOTHING
            """, logger: logger)
        return try await find(messageId) ?? Decision(agentIds: agentIds, published: published)
    }

    func markPublished(_ messageId: String) async throws {
        try await database.client.query("""
            UPDATE routing_decisions SET published_at = now() WHERE message_id = \(messageId) AND published_at IS NULL
            """, logger: logger)
    }
}
