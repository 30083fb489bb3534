import AgentIMCore
import Foundation
import PostgresNIO

extension MessageStore {
    enum AgentReplyOutcome {
        /// A new message with its room sequence.
        case stored(ChatMessage)
        /// A retry of the same reply with new content: content and chunks overwritten.
        case overwritten(ChatMessage)
        /// A redelivery of a reply already stored as it is (a peer claimed it from a frozen or
        /// crashed replica, or the bus handed it out again): nothing changed.
        case unchanged(ChatMessage)
        /// The room is gone (deleted while the agent answered): the reply has nowhere to go.
        /// Without this the insert failed its foreign key on every retry, for ever.
        case roomGone
    }

    /// Stores an agent's reply under the gateway's `messageId` (websocket §10.4 step 3). A
    /// retry with other content overwrites content and chunks, a retry with the same content
    /// changes nothing; an id already used by someone else's message (the CLI's queue-full
    /// answer reuses the user's id) gets a fresh id instead.
    func storeAgentReply(id: String, roomId: String, agentId: String, agentName: String, content: String,
                         chunks: [JSONValue]?, type: String = "agent_response") async throws -> AgentReplyOutcome {
        var chunksJSON = try chunks.map { try JSONCoding.encodeString($0) }
        if let text = chunksJSON, text.utf8.count > 20 << 20 { chunksJSON = nil }
        return try await database.client.withTransaction(logger: logger) { tx in
            var id = id
            for try await (sender, same) in try await tx.query("""
                SELECT sender_id, content = \(content) AND chunks IS NOT DISTINCT FROM \(chunksJSON)::jsonb
                FROM messages WHERE id = \(id) FOR UPDATE
                """, logger: logger).decode((String, Bool).self) {
                if sender == agentId, same {
                    let rows = try await tx.query("SELECT \(unescaped: Self.columns) FROM messages WHERE id = \(id)", logger: logger)
                    guard let message = try await Self.messages(rows).first else { throw APIError(500, "reply not stored") }
                    return .unchanged(message)
                }
                if sender == agentId {
                    let rows = try await tx.query("""
                        UPDATE messages SET content = \(content), chunks = \(chunksJSON)::jsonb WHERE id = \(id) RETURNING \(unescaped: Self.columns)
                        """, logger: logger)
                    guard let message = try await Self.messages(rows).first else { throw APIError(500, "reply not stored") }
                    return .overwritten(message)
                }
                id = Nanoid.make()
            }
            var seq: Int64?
            for try await value in try await tx.query("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = \(roomId) RETURNING last_seq", logger: logger).decode(Int64.self) {
                seq = value
            }
            guard let seq else { return .roomGone }
            let rows = try await tx.query("""
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, mentions, chunks, created_at, seq)
                VALUES (\(id), \(roomId), \(agentId), 'agent', \(agentName), \(type), \(content), '[]'::jsonb, \(chunksJSON)::jsonb,
                        \(timeOfNewMessageIn: roomId), \(seq))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let message = try await Self.messages(rows).first else { throw APIError(500, "reply not stored") }
            return .stored(message)
        }
    }

    /// The room's last 20 messages, oldest first, as an agent's RoomContext lists them
    /// (sender name and type, content, time).
    func recentForContext(roomId: String) async throws -> [(senderName: String, senderType: String, content: String, createdAt: Date)] {
        var recent: [(senderName: String, senderType: String, content: String, createdAt: Date)] = []
        for try await row in try await database.client.query("""
            SELECT sender_name, sender_type, content, created_at FROM (
                SELECT sender_name, sender_type, content, created_at, seq FROM messages WHERE room_id = \(roomId)
                ORDER BY created_at DESC, id DESC LIMIT 20) m ORDER BY created_at, seq
            """, logger: logger).decode((String, String, String, Date).self) {
            recent.append(row)
        }
        return recent
    }
}
