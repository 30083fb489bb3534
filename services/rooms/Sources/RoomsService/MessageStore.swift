import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `messages` in PostgreSQL; rooms alone writes it.
struct MessageStore: Sendable {
    let database: Database
    /// The group commit's own connections (`SendGroupCommit`), with generic plans forced.
    let commitDatabase: Database
    /// The session of the commit's one-statement write, the usual case (`CommitSession`).
    let commitSession: CommitSession
    /// Shared by every copy: the rooms' sends that wait together are stored together.
    let groupCommit = SendGroupCommit()
    /// Shared by every copy: what the group commit stored since the search index was last tidied.
    let searchIndex = SearchIndexUpkeep()
    var logger: Logger { database.logger }

    static let columns = "id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions::text, chunks::text, created_at, updated_at, seq"
    typealias Row = (String, String, String, String, String, String, String, String?, String, String?, Date, Date?, Int64?)

    static func message(_ row: Row) -> ChatMessage {
        // JSONParser rather than a JSONDecoder per row (each stored message is read back once).
        let mentions = row.8 == "[]" ? [] : JSONValue.parse(row.8)?.arrayValue?.compactMap(\.stringValue) ?? []
        let chunks = row.9.flatMap { JSONValue.parse($0)?.arrayValue }
        return ChatMessage(id: row.0, roomId: row.1, senderId: row.2, senderType: row.3, senderName: row.4, type: row.5,
                           content: row.6, replyToId: row.7, mentions: mentions, chunks: chunks,
                           createdAt: Timestamp.format(row.10), updatedAt: row.11.map(Timestamp.format), seq: row.12)
    }

    static func messages(_ rows: PostgresRowSequence) async throws -> [ChatMessage] {
        var result: [ChatMessage] = []
        for try await row in rows.decode(Row.self) { result.append(message(row)) }
        return result
    }

    /// Now, at millisecond precision, so an ISO cursor taken from a message matches it exactly.
    /// Message times are written as ISO text: a `Date` parameter is truncated to the
    /// microsecond from its floating-point value and could land just below the millisecond.
    static func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    func find(_ id: String) async throws -> ChatMessage? {
        try await Self.messages(database.client.query("SELECT \(unescaped: Self.columns) FROM messages WHERE id = \(id)", logger: logger)).first
    }

    enum SendOutcome {
        /// Newly stored: announce it to the room.
        case stored(ChatMessage)
        /// Already stored by an earlier delivery of the same command or a retry with the same client id.
        case duplicate(ChatMessage)
        case roomNotFound
        case notAMember
    }

    struct HumanMessage: Sendable {
        var id: String
        var roomId: String
        var userId: String
        var username: String
        var content: String
        var mentions: [String]
        var replyToId: String?
        var clientMessageId: String?
        var attachmentIds: [String] = []
    }

    /// Stores a human message in one transaction with its room and membership checks and its
    /// room sequence. Idempotent: `id` (the command's) and `clientMessageId` (within 24 h).
    func storeHumanMessage(_ m: HumanMessage) async throws -> SendOutcome {
        do {
            return try await database.client.withTransaction(logger: logger) { tx in
                let access = try await tx.query("""
                    SELECT r.created_by_id = \(m.userId) OR EXISTS (
                        SELECT 1 FROM room_members rm WHERE rm.room_id = r.id AND rm.member_id = \(m.userId) AND rm.member_type = 'user')
                    FROM rooms r WHERE r.id = \(m.roomId)
                    """, logger: logger)
                var allowed: Bool?
                for try await value in access.decode(Bool.self) { allowed = value }
                guard let allowed else { return .roomNotFound }
                guard allowed else { return .notAMember }

                if let existing = try await Self.messages(tx.query("SELECT \(unescaped: Self.columns) FROM messages WHERE id = \(m.id)", logger: logger)).first {
                    return .duplicate(existing)
                }
                var clientId = m.clientMessageId
                if let clientMessageId = m.clientMessageId {
                    let earlier = try await tx.query("""
                        SELECT \(unescaped: Self.columns), created_at > now() - interval '24 hours' FROM messages
                        WHERE sender_id = \(m.userId) AND client_message_id = \(clientMessageId)
                        """, logger: logger)
                    for try await row in earlier.decode((String, String, String, String, String, String, String, String?, String, String?, Date, Date?, Int64?, Bool).self) {
                        if row.13 {
                            return .duplicate(Self.message((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12)))
                        }
                        // The same id after 24 hours is a new message; the old one keeps the id.
                        clientId = nil
                    }
                }
                var seq: Int64 = 0
                for try await value in try await tx.query("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = \(m.roomId) RETURNING last_seq", logger: logger).decode(Int64.self) {
                    seq = value
                }
                let mentionsJSON = String(decoding: try JSONEncoder().encode(m.mentions), as: UTF8.self)
                let rows = try await tx.query("""
                    INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions, created_at, seq, client_message_id)
                    VALUES (\(m.id), \(m.roomId), \(m.userId), 'user', \(m.username), 'text', \(m.content), \(m.replyToId),
                            \(mentionsJSON)::jsonb, \(timeOfNewMessageIn: m.roomId), \(seq), \(clientId))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                guard var stored = try await Self.messages(rows).first else { throw APIError(500, "message not stored") }
                let linked = try await Self.linkAttachments(m.attachmentIds, to: stored.id, uploadedBy: m.userId, on: tx, logger: logger)
                if !linked.isEmpty { stored.attachments = linked }
                return .stored(stored)
            }
        } catch where sqlState(of: error) == "23505" {
            // A concurrent retry with the same client id won the race: return its message.
            if let clientMessageId = m.clientMessageId,
               let existing = try await Self.messages(database.client.query("""
                    SELECT \(unescaped: Self.columns) FROM messages WHERE sender_id = \(m.userId) AND client_message_id = \(clientMessageId)
                    """, logger: logger)).first {
                return .duplicate(existing)
            }
            throw error
        }
    }

    /// Links the sender's own still-unattached uploads to the new message (websocket §10.1
    /// step 3; others are ignored). This UPDATE is the one write to `message_attachments`
    /// outside the uploads service, which owns the table: the link must commit with the message.
    static func linkAttachments(_ ids: [String], to messageId: String, uploadedBy userId: String,
                                on tx: PostgresConnection, logger: Logger) async throws -> [Attachment] {
        guard !ids.isEmpty else { return [] }
        var linked: [Attachment] = []
        for try await (id, filename, mime, size, url) in try await tx.query("""
            UPDATE message_attachments SET message_id = \(messageId)
            WHERE id = ANY(\(Array(ids.prefix(20)))) AND uploaded_by = \(userId) AND message_id IS NULL
            RETURNING id, filename, mime_type, size, url
            """, logger: logger).decode((String, String, String, Int, String).self) {
            linked.append(Attachment(id: id, messageId: messageId, filename: filename, mimeType: mime, size: size, url: url))
        }
        // In the order the client listed them.
        return linked.sorted { (ids.firstIndex(of: $0.id) ?? 0) < (ids.firstIndex(of: $1.id) ?? 0) }
    }

    /// Messages after `seq`, oldest first: catch-up after a reconnect and gap filling.
    /// A replayed message stands in for the live announcement the socket missed, so it carries
    /// what that carried: the sender's `clientMessageId` (its acknowledgement) and attachments.
    func after(roomId: String, seq: Int64, limit: Int) async throws -> [ChatMessage] {
        let rows = try await database.client.query("""
            SELECT \(unescaped: Self.columns), client_message_id FROM messages WHERE room_id = \(roomId) AND seq > \(seq)
            ORDER BY seq LIMIT \(limit)
            """, logger: logger)
        var found: [ChatMessage] = []
        for try await row in rows.decode((String, String, String, String, String, String, String, String?, String, String?, Date, Date?, Int64?, String?).self) {
            var message = Self.message((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12))
            message.clientMessageId = row.13
            found.append(message)
        }
        return try await decorated(found)
    }

    /// A page of history, newest first (http-api §7.4): `after` wins over `cursor`;
    /// messages older than the reader's `clearedAt` are hidden. Cursors go to PostgreSQL as
    /// text, so a millisecond timestamp taken from a message compares exactly with it.
    func history(roomId: String, before cursor: Date?, after: Date?, clearedAt: Date?, limit: Int) async throws -> (items: [ChatMessage], hasMore: Bool) {
        let cleared = clearedAt ?? Date(timeIntervalSince1970: 0)
        let probe = limit + 1
        let rows: PostgresRowSequence
        if let after {
            rows = try await database.client.query("""
                SELECT \(unescaped: Self.columns) FROM messages WHERE room_id = \(roomId) AND created_at > \(Timestamp.format(after))::timestamptz AND created_at > \(cleared)
                ORDER BY created_at DESC, id DESC LIMIT \(probe)
                """, logger: logger)
        } else if let cursor {
            rows = try await database.client.query("""
                SELECT \(unescaped: Self.columns) FROM messages WHERE room_id = \(roomId) AND created_at < \(Timestamp.format(cursor))::timestamptz AND created_at > \(cleared)
                ORDER BY created_at DESC, id DESC LIMIT \(probe)
                """, logger: logger)
        } else {
            rows = try await database.client.query("""
                SELECT \(unescaped: Self.columns) FROM messages WHERE room_id = \(roomId) AND created_at > \(cleared)
                ORDER BY created_at DESC, id DESC LIMIT \(probe)
                """, logger: logger)
        }
        let items = try await Self.messages(rows)
        return (Array(items.prefix(limit)), items.count > limit)
    }
}

extension MessageStore {
    // MARK: Rewind (websocket §16.5)

    /// Deletes the room's messages created at or after `createdAt` (attachments cascade); returns their ids.
    func removeFrom(roomId: String, createdAt: String) async throws -> [String] {
        try await database.client.withTransaction(logger: logger) { tx in
            var ids: [String] = []
            for try await id in try await tx.query("""
                DELETE FROM messages WHERE room_id = \(roomId) AND created_at >= \(createdAt)::timestamptz RETURNING id
                """, logger: logger).decode(String.self) { ids.append(id) }
            return ids
        }
    }
}
