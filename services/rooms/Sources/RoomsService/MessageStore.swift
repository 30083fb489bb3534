import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `messages` in PostgreSQL; rooms alone writes it.
struct MessageStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    static let columns = "id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions::text, chunks::text, created_at, updated_at"
    typealias Row = (String, String, String, String, String, String, String, String?, String, String?, Date, Date?)

    static func message(_ row: Row) -> ChatMessage {
        let mentions = (try? JSONDecoder().decode([String].self, from: Data(row.8.utf8))) ?? []
        let chunks = row.9.flatMap { try? JSONDecoder().decode([JSONValue].self, from: Data($0.utf8)) }
        return ChatMessage(id: row.0, roomId: row.1, senderId: row.2, senderType: row.3, senderName: row.4, type: row.5,
                           content: row.6, replyToId: row.7, mentions: mentions, chunks: chunks,
                           createdAt: Timestamp.format(row.10), updatedAt: row.11.map(Timestamp.format))
    }

    enum SendOutcome {
        case stored(ChatMessage)
        case roomNotFound
        case notAMember
    }

    /// Stores a human message in one transaction with its room and membership checks.
    /// `id` comes from the command, so a redelivered command returns the stored message.
    func storeHumanMessage(id: String, roomId: String, userId: String, username: String, content: String,
                           mentions: [String], replyToId: String?) async throws -> SendOutcome {
        try await database.client.withTransaction(logger: logger) { tx in
            let access = try await tx.query("""
                SELECT r.created_by_id = \(userId) OR EXISTS (
                    SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.member_id = \(userId) AND m.member_type = 'user')
                FROM rooms r WHERE r.id = \(roomId)
                """, logger: logger)
            var allowed: Bool?
            for try await value in access.decode(Bool.self) { allowed = value }
            guard let allowed else { return .roomNotFound }
            guard allowed else { return .notAMember }
            let mentionsJSON = String(decoding: try JSONEncoder().encode(mentions), as: UTF8.self)
            // Millisecond precision, so an ISO cursor taken from a message matches it exactly.
            let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
            try await tx.query("""
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions, created_at)
                VALUES (\(id), \(roomId), \(userId), 'user', \(username), 'text', \(content), \(replyToId), \(mentionsJSON)::jsonb, \(now))
                ON CONFLICT (id) DO NOTHING
                """, logger: logger)
            let rows = try await tx.query("SELECT \(unescaped: Self.columns) FROM messages WHERE id = \(id)", logger: logger)
            for try await row in rows.decode(Row.self) { return .stored(Self.message(row)) }
            throw APIError(500, "message vanished after insert")
        }
    }

    /// A page of history, newest first (http-api §7.4): `after` wins over `cursor`;
    /// messages older than the reader's `clearedAt` are hidden.
    func history(roomId: String, before cursor: Date?, after: Date?, clearedAt: Date?, limit: Int) async throws -> (items: [ChatMessage], hasMore: Bool) {
        let cleared = clearedAt ?? Date(timeIntervalSince1970: 0)
        return try await page(roomId: roomId, cursor: cursor, after: after, cleared: cleared, probe: limit + 1, limit: limit)
    }

    private func page(roomId: String, cursor: Date?, after: Date?, cleared: Date, probe: Int, limit: Int) async throws -> (items: [ChatMessage], hasMore: Bool) {
        let rows: PostgresRowSequence
        if let after {
            rows = try await database.client.query("""
                SELECT \(unescaped: Self.columns) FROM messages WHERE room_id = \(roomId) AND created_at > \(after) AND created_at > \(cleared)
                ORDER BY created_at DESC, id DESC LIMIT \(probe)
                """, logger: logger)
        } else if let cursor {
            rows = try await database.client.query("""
                SELECT \(unescaped: Self.columns) FROM messages WHERE room_id = \(roomId) AND created_at < \(cursor) AND created_at > \(cleared)
                ORDER BY created_at DESC, id DESC LIMIT \(probe)
                """, logger: logger)
        } else {
            rows = try await database.client.query("""
                SELECT \(unescaped: Self.columns) FROM messages WHERE room_id = \(roomId) AND created_at > \(cleared)
                ORDER BY created_at DESC, id DESC LIMIT \(probe)
                """, logger: logger)
        }
        var items: [ChatMessage] = []
        for try await row in rows.decode(Row.self) { items.append(Self.message(row)) }
        let hasMore = items.count > limit
        return (Array(items.prefix(limit)), hasMore)
    }
}
