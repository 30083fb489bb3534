import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `bookmarks` in PostgreSQL (http-api §12): a user's saved messages.
struct BookmarkStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    /// One bookmark with a summary of its message, as `GET /api/bookmarks` lists it.
    struct Bookmark: Encodable, Sendable {
        var id: String
        var userId: String
        var messageId: String
        var note: String
        var createdAt: String
        var message: Summary
        struct Summary: Encodable, Sendable { var roomId: String; var senderName: String; var content: String; var createdAt: String }
    }

    /// The user's bookmarks older than `cursor` (an ISO time or `infinity`), newest first,
    /// in rooms the user is still a member of.
    func list(userId: String, before cursor: String, limit: Int) async throws -> [Bookmark] {
        var items: [Bookmark] = []
        for try await r in try await database.client.query("""
            SELECT b.id, b.user_id, b.message_id, COALESCE(b.note, ''), b.created_at, m.room_id, m.sender_name, m.content, m.created_at
            FROM bookmarks b JOIN messages m ON m.id = b.message_id
            JOIN room_members rm ON rm.room_id = m.room_id AND rm.member_id = \(userId) AND rm.member_type = 'user'
            WHERE b.user_id = \(userId) AND b.created_at < \(cursor)::timestamptz
            ORDER BY b.created_at DESC, b.id DESC LIMIT \(limit)
            """, logger: logger).decode((String, String, String, String, Date, String, String, String, Date).self) {
            items.append(Bookmark(id: r.0, userId: r.1, messageId: r.2, note: r.3, createdAt: Timestamp.format(r.4),
                                  message: .init(roomId: r.5, senderName: r.6, content: r.7, createdAt: Timestamp.format(r.8))))
        }
        return items
    }

    func count(userId: String) async throws -> Int {
        for try await n in try await database.client.query("SELECT count(*)::int FROM bookmarks WHERE user_id = \(userId)", logger: logger).decode(Int.self) {
            return n
        }
        return 0
    }

    /// False when the user already bookmarked the message (the unique index).
    func insert(id: String, userId: String, messageId: String, note: String, at time: Date) async throws -> Bool {
        do {
            try await database.client.query("""
                INSERT INTO bookmarks (id, user_id, message_id, note, created_at) VALUES (\(id), \(userId), \(messageId), \(note), \(time))
                """, logger: logger)
            return true
        } catch where sqlState(of: error) == "23505" {
            return false
        }
    }

    /// False when the user has no such bookmark.
    func delete(id: String, userId: String) async throws -> Bool {
        for try await _ in try await database.client.query("DELETE FROM bookmarks WHERE id = \(id) AND user_id = \(userId) RETURNING 1", logger: logger) {
            return true
        }
        return false
    }
}
