import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// The routing state rooms replicas share in PostgreSQL (websocket §11): per-sender sends,
/// claimed dispatches, conversation visits and the agents' rate windows.
struct RoutingStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    /// When `senderId` last sent `agentId` a message, if ever.
    func lastSend(senderId: String, agentId: String) async throws -> Date? {
        for try await sentAt in try await database.client.query(
            "SELECT sent_at FROM agent_sender_sends WHERE sender_id = \(senderId) AND agent_id = \(agentId)", logger: logger).decode(Date.self) {
            return sentAt
        }
        return nil
    }

    func recordSend(senderId: String, agentId: String) async throws {
        try await database.client.query("""
            INSERT INTO agent_sender_sends (sender_id, agent_id, sent_at) VALUES (\(senderId), \(agentId), now())
            ON CONFLICT (sender_id, agent_id) DO UPDATE SET sent_at = now()
            """, logger: logger)
    }

    /// True the first time for this (message, agent).
    func claimDispatch(messageId: String, agentId: String) async throws -> Bool {
        for try await _ in try await database.client.query("""
            INSERT INTO agent_dispatches (message_id, agent_id) VALUES (\(messageId), \(agentId)) ON CONFLICT DO NOTHING RETURNING agent_id
            """, logger: logger) { return true }
        return false
    }

    /// Lower-cased names of the active service agents (`service_agents` is the router's; read only).
    func activeServiceAgentNames() async throws -> Set<String> {
        var active: Set<String> = []
        for try await name in try await database.client.query("SELECT lower(name) FROM service_agents WHERE status = 'active'", logger: logger).decode(String.self) {
            active.insert(name)
        }
        return active
    }

    /// The chain depth and rate window of the room's router, when it has one.
    func routerLimits(roomId: String) async throws -> (maxDepth: Int, window: Int, max: Int)? {
        for try await (depth, window, max) in try await database.client.query("""
            SELECT ro.max_chain_depth, ro.rate_limit_window, ro.rate_limit_max FROM rooms r JOIN routers ro ON ro.id = r.router_id WHERE r.id = \(roomId)
            """, logger: logger).decode((Int, Int, Int).self) {
            return (depth, window, max)
        }
        return nil
    }

    /// Counts one completion in the agent's fixed window of `window` seconds; the count so far.
    func countCompletion(agentId: String, window: Int) async throws -> Int? {
        let rows = try await database.client.query("""
            INSERT INTO agent_rate_windows (agent_id, window_start, count) VALUES (\(agentId), now(), 1)
            ON CONFLICT (agent_id) DO UPDATE SET
                count = CASE WHEN agent_rate_windows.window_start <= now() - make_interval(secs => \(window)) THEN 1 ELSE agent_rate_windows.count + 1 END,
                window_start = CASE WHEN agent_rate_windows.window_start <= now() - make_interval(secs => \(window)) THEN now() ELSE agent_rate_windows.window_start END
            RETURNING count
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return nil
    }

    /// Adds the agent to the conversation's visited set; the set lives 300 s from its last insert.
    func visit(_ conversationId: String, agentId: String) async throws {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("""
                INSERT INTO conversation_visits (conversation_id, agent_id, expires_at) VALUES (\(conversationId), \(agentId), now() + interval '300 seconds')
                ON CONFLICT (conversation_id, agent_id) DO NOTHING
                """, logger: logger)
            try await tx.query("""
                UPDATE conversation_visits SET expires_at = now() + interval '300 seconds' WHERE conversation_id = \(conversationId)
                """, logger: logger)
        }
    }

    func visitedAgents(_ conversationId: String) async throws -> Set<String> {
        var ids: Set<String> = []
        for try await id in try await database.client.query("""
            SELECT agent_id FROM conversation_visits WHERE conversation_id = \(conversationId) AND expires_at > now()
            """, logger: logger).decode(String.self) { ids.insert(id) }
        return ids
    }
}
