import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// `/api/bookmarks` (http-api §12).
struct BookmarksController {
    let service: RoomsService
    var database: PostgresClient { service.runtime.database!.client }
    var logger: Logger { service.runtime.logger }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.post("", use: create)
        group.delete(":id", use: delete)
    }

    struct Item: Encodable, Sendable {
        var id: String
        var userId: String
        var messageId: String
        var note: String
        var createdAt: String
        var message: Summary
        struct Summary: Encodable, Sendable { var roomId: String; var senderName: String; var content: String; var createdAt: String }
    }

    struct Page: Encodable, Sendable { var items: [Item]; var nextCursor: String?; var hasMore: Bool }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let limit = Paging.clamped(request.uri.queryParameters.get("limit"), default: 50, range: 1...100)
        let cursor = request.uri.queryParameters.get("cursor").flatMap(Timestamp.parse).map(Timestamp.format) ?? "infinity"
        var items: [Item] = []
        for try await r in try await database.query("""
            SELECT b.id, b.user_id, b.message_id, COALESCE(b.note, ''), b.created_at, m.room_id, m.sender_name, m.content, m.created_at
            FROM bookmarks b JOIN messages m ON m.id = b.message_id
            JOIN room_members rm ON rm.room_id = m.room_id AND rm.member_id = \(caller.id) AND rm.member_type = 'user'
            WHERE b.user_id = \(caller.id) AND b.created_at < \(cursor)::timestamptz
            ORDER BY b.created_at DESC, b.id DESC LIMIT \(limit + 1)
            """, logger: logger).decode((String, String, String, String, Date, String, String, String, Date).self) {
            items.append(Item(id: r.0, userId: r.1, messageId: r.2, note: r.3, createdAt: Timestamp.format(r.4),
                              message: .init(roomId: r.5, senderName: r.6, content: r.7, createdAt: Timestamp.format(r.8))))
        }
        let hasMore = items.count > limit
        items = Array(items.prefix(limit))
        return ok(Page(items: items, nextCursor: hasMore ? items.last?.createdAt : nil, hasMore: hasMore))
    }

    struct Created: Encodable, Sendable { var id: String; var userId: String; var messageId: String; var note: String; var createdAt: String }

    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let messageId = reader.string("messageId", min: 1, max: 100)
        let note = reader.string("note", max: 500, optional: true) ?? ""
        try reader.check()
        guard let messageId else { throw APIError.invalidJSON }
        guard let message = try await service.messages.find(messageId) else { throw APIError(404, "Message not found") }
        guard try await service.rooms.isMember(userId: caller.id, roomId: message.roomId) else { throw APIError(403, "Not a member of this room") }
        var count = 0
        for try await n in try await database.query("SELECT count(*)::int FROM bookmarks WHERE user_id = \(caller.id)", logger: logger).decode(Int.self) {
            count = n
        }
        guard count < 500 else { throw APIError(400, "Maximum bookmarks reached") }
        let now = MessageStore.now()
        let id = Nanoid.make()
        do {
            try await database.query("""
                INSERT INTO bookmarks (id, user_id, message_id, note, created_at) VALUES (\(id), \(caller.id), \(messageId), \(note), \(now))
                """, logger: logger)
        } catch where sqlState(of: error) == "23505" {
            throw APIError(409, "Bookmark already exists")
        }
        return ok(Created(id: id, userId: caller.id, messageId: messageId, note: note, createdAt: Timestamp.format(now)), status: .created)
    }

    struct DeletedID: Encodable, Sendable { var id: String }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        for try await _ in try await database.query("DELETE FROM bookmarks WHERE id = \(id) AND user_id = \(caller.id) RETURNING 1", logger: logger) {
            return ok(DeletedID(id: id))
        }
        throw APIError(404, "Bookmark not found")
    }
}
