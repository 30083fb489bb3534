import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `routing_decisions`: one row per broadcast-mode message, so that however often its command
/// is delivered (redelivery, a replica claiming it back) the LLM is asked once and the decision
/// leaves once — save for a process dying between publishing and recording it.
struct RoutingDecisionStore: Sendable {
    enum Claim: Sendable, Equatable {
        /// This process holds the message: decide (when `agentIds` is nil) and publish.
        case held(agentIds: [String]?)
        /// Already on the rooms stream (or decided as "nobody"): nothing to do.
        case done
        /// Another process holds it: try again later.
        case busy
    }

    let database: Database
    var logger: Logger { database.logger }

    /// Claims `messageId` for `hold`, unless it is published or held by another process whose
    /// hold has not run out.
    func claim(messageId: String, roomId: String, hold: Duration) async throws -> Claim {
        let holdMs = hold.components.seconds * 1000 + hold.components.attoseconds / 1_000_000_000_000_000
        let rows = try await database.client.query("""
            INSERT INTO routing_decisions (message_id, room_id, claimed_until)
            VALUES (\(messageId), \(roomId), now() + \(holdMs) * interval '1 millisecond')
            ON CONFLICT (message_id) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
                WHERE routing_decisions.published_at IS NULL
                  AND (routing_decisions.claimed_until IS NULL OR routing_decisions.claimed_until < now())
            RETURNING agent_ids::text
            """, logger: logger)
        for try await ids in rows.decode(String?.self) {
            return .held(agentIds: ids.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) })
        }
        let state = try await database.client.query("""
            SELECT published_at IS NOT NULL FROM routing_decisions WHERE message_id = \(messageId)
            """, logger: logger)
        for try await published in state.decode(Bool.self) { return published ? .done : .busy }
        return .busy
    }

    /// Records what was decided; an empty list has nothing to publish and is done at once.
    func decide(_ messageId: String, agentIds: [String]) async throws {
        let json = String(decoding: try JSONEncoder().encode(agentIds), as: UTF8.self)
        let done = agentIds.isEmpty
        try await database.client.query("""
            UPDATE routing_decisions SET agent_ids = \(json)::jsonb, decided_at = now(),
                published_at = CASE WHEN \(done) THEN now() END, claimed_until = CASE WHEN \(done) THEN NULL ELSE claimed_until END
            WHERE message_id = \(messageId)
            """, logger: logger)
    }

    func markPublished(_ messageId: String) async throws {
        try await database.client.query("""
            UPDATE routing_decisions SET published_at = now(), claimed_until = NULL WHERE message_id = \(messageId)
            """, logger: logger)
    }

    /// Deletes the decisions made more than a day ago (`RoutingDecisionJanitor`).
    func deleteDecidedBeforeYesterday() async throws {
        try await database.client.query("DELETE FROM routing_decisions WHERE decided_at < now() - interval '1 day'", logger: logger)
    }
}
