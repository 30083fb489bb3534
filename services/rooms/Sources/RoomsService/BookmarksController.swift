import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/bookmarks` (http-api §12).
struct BookmarksController {
    let service: RoomsService
    var store: BookmarkStore { BookmarkStore(database: service.agents.database) }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.post("", use: create)
        group.delete(":id", use: delete)
    }

    struct Page: Encodable, Sendable { var items: [BookmarkStore.Bookmark]; var nextCursor: String?; var hasMore: Bool }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let limit = Paging.clamped(request.uri.queryParameters.get("limit"), default: 50, range: 1...100)
        let cursor = request.uri.queryParameters.get("cursor").flatMap(Timestamp.parse).map(Timestamp.format) ?? "infinity"
        var items = try await store.list(userId: caller.id, before: cursor, limit: limit + 1)
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
        guard try await store.count(userId: caller.id) < 500 else { throw APIError(400, "Maximum bookmarks reached") }
        let now = MessageStore.now()
        let id = Nanoid.make()
        guard try await store.insert(id: id, userId: caller.id, messageId: messageId, note: note, at: now) else {
            throw APIError(409, "Bookmark already exists")
        }
        return ok(Created(id: id, userId: caller.id, messageId: messageId, note: note, createdAt: Timestamp.format(now)), status: .created)
    }

    struct DeletedID: Encodable, Sendable { var id: String }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard try await store.delete(id: id, userId: caller.id) else { throw APIError(404, "Bookmark not found") }
        return ok(DeletedID(id: id))
    }
}
