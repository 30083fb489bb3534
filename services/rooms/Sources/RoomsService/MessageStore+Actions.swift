import AgentIMCore
import Foundation
import PostgresNIO

/// Message changes and queries behind the REST routes of http-api §7.
extension MessageStore {
    /// Replaces the content, keeping the previous one in `message_edits`.
    func edit(_ message: ChatMessage, content: String) async throws -> ChatMessage? {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("""
                INSERT INTO message_edits (id, message_id, previous_content, edited_at)
                VALUES (\(Nanoid.make()), \(message.id), \(message.content), \(Self.now()))
                """, logger: logger)
            let rows = try await tx.query("""
                UPDATE messages SET content = \(content), updated_at = \(Self.now()) WHERE id = \(message.id)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            return try await Self.messages(rows).first
        }
    }

    func delete(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await database.client.query("DELETE FROM messages WHERE id = ANY(\(ids))", logger: logger)
    }

    func findMany(_ ids: [String]) async throws -> [ChatMessage] {
        guard !ids.isEmpty else { return [] }
        return try await Self.messages(database.client.query("SELECT \(unescaped: Self.columns) FROM messages WHERE id = ANY(\(ids))", logger: logger))
    }

    struct EditRecord: Encodable, Sendable {
        var id: String
        var messageId: String
        var previousContent: String
        var editedAt: String
    }

    func edits(of messageId: String) async throws -> [EditRecord] {
        var result: [EditRecord] = []
        for try await (id, messageId, previous, at) in try await database.client.query("""
            SELECT id, message_id, previous_content, edited_at FROM message_edits WHERE message_id = \(messageId)
            ORDER BY edited_at DESC LIMIT 100
            """, logger: logger).decode((String, String, String, Date).self) {
            result.append(EditRecord(id: id, messageId: messageId, previousContent: previous, editedAt: Timestamp.format(at)))
        }
        return result
    }

    enum ToggleOutcome { case toggled, limitReached }

    /// Adds or removes the user's reaction; at most 20 distinct emojis per user per message.
    func toggleReaction(messageId: String, userId: String, emoji: String) async throws -> ToggleOutcome {
        try await database.client.withTransaction(logger: logger) { tx in
            let deleted = try await tx.query("""
                DELETE FROM message_reactions WHERE message_id = \(messageId) AND user_id = \(userId) AND emoji = \(emoji) RETURNING 1
                """, logger: logger)
            for try await _ in deleted { return .toggled }
            var count = 0
            for try await n in try await tx.query("""
                SELECT count(*)::int FROM message_reactions WHERE message_id = \(messageId) AND user_id = \(userId)
                """, logger: logger).decode(Int.self) { count = n }
            if count >= 20 { return .limitReached }
            try await tx.query("""
                INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (\(messageId), \(userId), \(emoji), now())
                ON CONFLICT DO NOTHING
                """, logger: logger)
            return .toggled
        }
    }

    /// Aggregated reactions per message, emojis in order of first use.
    func reactions(for messageIds: [String]) async throws -> [String: [Reaction]] {
        guard !messageIds.isEmpty else { return [:] }
        var result: [String: [Reaction]] = [:]
        for try await (messageId, emoji, userId, username) in try await database.client.query("""
            SELECT r.message_id, r.emoji, r.user_id, COALESCE(u.username, '') FROM message_reactions r
            LEFT JOIN users u ON u.id = r.user_id WHERE r.message_id = ANY(\(messageIds)) ORDER BY r.created_at, r.emoji
            """, logger: logger).decode((String, String, String, String).self) {
            var list = result[messageId] ?? []
            if let index = list.firstIndex(where: { $0.emoji == emoji }) {
                list[index].userIds.append(userId)
                list[index].usernames.append(username)
            } else {
                list.append(Reaction(emoji: emoji, userIds: [userId], usernames: [username]))
            }
            result[messageId] = list
        }
        return result
    }

    /// Attachments per message (the uploads service's table).
    func attachments(for messageIds: [String]) async throws -> [String: [Attachment]] {
        guard !messageIds.isEmpty else { return [:] }
        var result: [String: [Attachment]] = [:]
        for try await (id, messageId, filename, mime, size, url) in try await database.client.query("""
            SELECT id, message_id, filename, mime_type, size, url FROM message_attachments
            WHERE message_id = ANY(\(messageIds)) ORDER BY created_at
            """, logger: logger).decode((String, String, String, String, Int, String).self) {
            result[messageId, default: []].append(Attachment(id: id, messageId: messageId, filename: filename, mimeType: mime, size: size, url: url))
        }
        return result
    }

    /// Adds attachments and reactions where present (history, search).
    func decorated(_ messages: [ChatMessage], reactions withReactions: Bool = true) async throws -> [ChatMessage] {
        let ids = messages.map(\.id)
        let attachments = try await attachments(for: ids)
        let reactions = withReactions ? try await reactions(for: ids) : [:]
        return messages.map { message in
            var message = message
            message.attachments = attachments[message.id]
            if withReactions { message.reactions = reactions[message.id] }
            return message
        }
    }

    func thread(of messageId: String, after cursor: Date?, limit: Int) async throws -> [ChatMessage] {
        let since = Timestamp.format(cursor ?? Date(timeIntervalSince1970: 0))
        return try await Self.messages(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM messages WHERE reply_to_id = \(messageId) AND created_at > \(since)::timestamptz
            ORDER BY created_at, id LIMIT \(limit)
            """, logger: logger))
    }

    func replyCount(_ messageId: String) async throws -> Int {
        for try await n in try await database.client.query("SELECT count(*)::int FROM messages WHERE reply_to_id = \(messageId)", logger: logger).decode(Int.self) {
            return n
        }
        return 0
    }

    /// Stores a message in a room with the next room sequence (used by forward).
    func storeForwarded(roomId: String, userId: String, username: String, content: String) async throws -> ChatMessage {
        try await database.client.withTransaction(logger: logger) { tx in
            var seq: Int64 = 0
            for try await value in try await tx.query("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = \(roomId) RETURNING last_seq", logger: logger).decode(Int64.self) {
                seq = value
            }
            let rows = try await tx.query("""
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, mentions, created_at, seq)
                VALUES (\(Nanoid.make()), \(roomId), \(userId), 'user', \(username), 'text', \(content), '[]'::jsonb,
                        \(timeOfNewMessageIn: roomId), \(seq))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let message = try await Self.messages(rows).first else { throw APIError(500, "message not stored") }
            return message
        }
    }

    struct RecentEntry: Encodable, Sendable {
        var content: String
        var senderName: String
        var createdAt: String
        var unread: Int
    }

    /// Latest message and unread count per room of the user (http-api §7.1).
    func recent(for userId: String) async throws -> [String: RecentEntry] {
        var result: [String: RecentEntry] = [:]
        for try await (roomId, content, sender, createdAt, unread) in try await database.client.query("""
            SELECT m.room_id, m.content, m.sender_name, m.created_at,
                   (SELECT count(*)::int FROM messages x WHERE x.room_id = m.room_id
                        AND (rm.last_read_at IS NULL OR x.created_at > rm.last_read_at))
            FROM room_members rm
            JOIN LATERAL (SELECT room_id, content, sender_name, created_at FROM messages
                          WHERE room_id = rm.room_id ORDER BY created_at DESC, id DESC LIMIT 1) m ON true
            WHERE rm.member_id = \(userId) AND rm.member_type = 'user'
            """, logger: logger).decode((String, String, String, Date, Int).self) {
            result[roomId] = RecentEntry(content: content, senderName: sender, createdAt: Timestamp.format(createdAt), unread: unread)
        }
        return result
    }

    struct SearchFilter: Sendable {
        var query: String
        var limit: Int
        var roomIds: [String]
        var senderId: String?
        var senderType: String?
        var from: Date?
        var to: Date?
    }

    /// Case-insensitive substring search (`%`, `_`, `\` literal), served by the trigram index.
    func search(_ filter: SearchFilter) async throws -> [ChatMessage] {
        let escaped = filter.query.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        let pattern = "%\(escaped)%"
        return try await Self.messages(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM messages
            WHERE room_id = ANY(\(filter.roomIds)) AND content ILIKE \(pattern)
              AND (\(filter.senderId)::text IS NULL OR sender_id = \(filter.senderId))
              AND (\(filter.senderType)::text IS NULL OR sender_type = \(filter.senderType))
              AND (\(filter.from)::timestamptz IS NULL OR created_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR created_at <= \(filter.to))
            ORDER BY created_at DESC, id DESC LIMIT \(filter.limit)
            """, logger: logger))
    }
}
