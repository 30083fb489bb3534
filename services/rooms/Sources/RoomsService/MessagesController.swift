import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/messages` (http-api §7).
struct MessagesController {
    let service: RoomsService
    var messages: MessageStore { service.messages }
    var rooms: RoomStore { service.rooms }
    var events: RoomEvents { service.events }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("recent", use: recent)
        group.post("mark-all-read", use: markAllRead)
        group.get("search", use: search)
        group.post("batch-delete", use: batchDelete)
        group.post("rooms/:roomId/read", use: markRead)
        group.get("rooms/:roomId", use: history)
        group.put(":id", use: edit)
        group.delete(":id", use: delete)
        group.get(":id/history", use: editHistory)
        group.post(":id/reactions", use: react)
        group.get(":id/thread", use: thread)
        group.get(":id/replies/count", use: replyCount)
        group.post(":id/forward", use: forward)
    }

    /// Room membership for message routes: creator or `user` member.
    func isMember(_ userId: String, _ roomId: String) async throws -> Bool {
        try await rooms.isMember(userId: userId, roomId: roomId)
    }

    /// `/:id` routes: 404 `Message not found` → 403 `Not a member of this room`.
    func memberMessage(_ context: HubRequestContext, _ caller: Caller) async throws -> ChatMessage {
        let id = try context.parameters.id("id")
        guard let message = try await messages.find(id) else { throw APIError(404, "Message not found") }
        guard try await isMember(caller.id, message.roomId) else { throw APIError(403, "Not a member of this room") }
        return message
    }

    func recent(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        return ok(try await messages.recent(for: caller.id))
    }

    func markAllRead(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let marked = try await rooms.markRead(userId: caller.id, roomId: nil)
        for room in marked.rooms {
            try await events.read(roomId: room, userId: caller.id, username: caller.username, at: Timestamp.format(marked.at))
        }
        return okEmpty()
    }

    func markRead(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let roomId = try context.parameters.id("roomId")
        guard try await isMember(caller.id, roomId) else { throw APIError(403, "Not a member of this room") }
        let marked = try await rooms.markRead(userId: caller.id, roomId: roomId)
        try await events.read(roomId: roomId, userId: caller.id, username: caller.username, at: Timestamp.format(marked.at))
        return okEmpty()
    }

    struct Page: Encodable, Sendable {
        var items: [ChatMessage]
        var nextCursor: String?
        var hasMore: Bool
    }

    func history(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let roomId = try context.parameters.id("roomId")
        guard try await isMember(caller.id, roomId) else { throw APIError(403, "Not a member of this room") }
        var query = QueryReader(request)
        let limit = query.int("limit", default: 50, range: 1...100)
        let cursor = query.date("cursor")
        let after = query.date("after")
        try query.check()
        let clearedAt = try await rooms.clearedAt(userId: caller.id, roomId: roomId)
        let page = try await messages.history(roomId: roomId, before: cursor, after: after, clearedAt: clearedAt, limit: limit)
        return ok(Page(items: try await messages.decorated(page.items), nextCursor: page.hasMore ? page.items.last?.createdAt : nil,
                       hasMore: page.hasMore))
    }

    struct EmptySearch: Encodable, Sendable { let items: [ChatMessage] = []; let hasMore = false }

    func search(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var query = QueryReader(request)
        let text = query.string("q", min: 2, max: 500, required: true)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let limit = query.int("limit", default: 20, range: 1...100)
        let roomId = query.string("roomId", max: 100)
        let senderId = query.string("senderId", max: 100)
        let senderType = query.oneOf("senderType", ["user", "agent", "system"])
        // Date-only values (what the web's date inputs send) are accepted as midnight UTC.
        let from = query.date("dateFrom")
        let to = query.date("dateTo")
        if let from, let to, from >= to { query.fail("dateFrom", "validation.dateFromBeforeDateTo") }
        try query.check()
        guard let text else { throw APIError.invalidJSON }
        let myRooms = try await rooms.userRoomIds(caller.id)
        var scope = myRooms
        if let roomId {
            guard myRooms.contains(roomId) else { throw APIError(404, "Room not found") }
            scope = [roomId]
        } else if myRooms.isEmpty {
            return ok(EmptySearch())
        }
        let found = try await messages.search(.init(query: text, limit: limit, roomIds: scope, senderId: senderId,
                                                    senderType: senderType, from: from, to: to))
        return ok(try await messages.decorated(found))
    }

    func edit(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let content = reader.string("content", min: 1, max: 100_000)
        try reader.check()
        let message = try await memberMessage(context, caller)
        guard message.senderId == caller.id, message.senderType == "user" else {
            throw APIError(403, "Only the sender can edit this message")
        }
        guard let edited = try await messages.edit(message, content: Sanitizer.content(content ?? "")) else {
            throw APIError(404, "Message not found")
        }
        try await events.edited(edited)
        return ok(edited)
    }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let message = try await memberMessage(context, caller)
        guard message.senderId == caller.id, message.senderType == "user" else {
            throw APIError(403, "Only the sender can delete this message")
        }
        try await messages.delete([message.id])
        try await events.deleted(roomId: message.roomId, messageId: message.id)
        return okEmpty()
    }

    struct Deleted: Encodable, Sendable { var deleted: Int }

    func batchDelete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let ids = reader.stringArray("messageIds", maxItems: 50, maxLength: 100)
        if !reader.has("messageIds") { reader.fail("messageIds", "Required") }
        if let ids, ids.isEmpty { reader.fail("messageIds", "Array must contain at least 1 element(s)") }
        if let ids, ids.contains(where: { $0.isEmpty }) { reader.fail("messageIds", "String must contain at least 1 character(s)") }
        try reader.check()
        let found = try await messages.findMany(ids ?? [])
        guard let roomId = found.first?.roomId else { return ok(Deleted(deleted: 0)) }
        guard found.allSatisfy({ $0.roomId == roomId }) else { throw APIError(400, "All messages must belong to the same room") }
        guard let room = try await rooms.find(roomId), let role = try await rooms.role(userId: caller.id, room: room) else {
            throw APIError(403, "Not a member of this room")
        }
        let isAdmin = role == "owner" || role == "admin"
        let deletable = found.filter { isAdmin || ($0.senderId == caller.id && $0.senderType == "user") }
        guard !deletable.isEmpty else { throw APIError(403, "No permission to delete these messages") }
        try await messages.delete(deletable.map(\.id))
        for message in deletable { try await events.deleted(roomId: roomId, messageId: message.id) }
        return ok(Deleted(deleted: deletable.count))
    }

    func editHistory(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let message = try await memberMessage(context, caller)
        return ok(try await messages.edits(of: message.id))
    }

    func react(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        _ = try context.parameters.id("id")
        let body = try await request.jsonBody()
        guard let emoji = body["emoji"]?.stringValue, (1...8).contains(emoji.jsLength) else { throw APIError(400, "Invalid emoji") }
        let message = try await memberMessage(context, caller)
        if try await messages.toggleReaction(messageId: message.id, userId: caller.id, emoji: emoji) == .limitReached {
            throw APIError(400, "Maximum reactions per message reached")
        }
        let reactions = try await messages.reactions(for: [message.id])[message.id] ?? []
        try await events.reactions(roomId: message.roomId, messageId: message.id, reactions: reactions)
        return ok(reactions)
    }

    struct ThreadPage: Encodable, Sendable {
        let ok = true
        var data: [ChatMessage]
        var nextCursor: String?
    }

    func thread(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let message = try await memberMessage(context, caller)
        let limit = min(max(request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 50, 1), 100)
        let cursor = request.uri.queryParameters.get("cursor").flatMap(Timestamp.parse)
        let replies = try await messages.thread(of: message.id, after: cursor, limit: limit + 1)
        var items = try await messages.decorated(Array(replies.prefix(limit)), reactions: false)
        for index in items.indices where items[index].attachments == nil { items[index].attachments = [] }
        return jsonResponse(ThreadPage(data: items, nextCursor: replies.count > limit ? items.last?.createdAt : nil))
    }

    struct Count: Encodable, Sendable { var count: Int }

    func replyCount(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let message = try await memberMessage(context, caller)
        return ok(Count(count: try await messages.replyCount(message.id)))
    }

    func forward(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let target = reader.string("targetRoomId", min: 1, max: 100)
        try reader.check()
        guard let target else { throw APIError.invalidJSON }
        let id = try context.parameters.id("id")
        guard let message = try await messages.find(id) else { throw APIError(404, "Message not found") }
        guard try await isMember(caller.id, message.roomId) else { throw APIError(403, "Not a member of the source room") }
        guard try await isMember(caller.id, target) else { throw APIError(403, "Not a member of the target room") }
        guard target != message.roomId else { throw APIError(400, "Cannot forward to the same room") }
        let content = Sanitizer.content("[Forwarded from \(message.senderName)]\n\n\(message.content)")
        let forwarded = try await messages.storeForwarded(roomId: target, userId: caller.id, username: caller.username, content: content)
        try await events.newMessage(forwarded)
        return ok(forwarded, status: .created)
    }
}

/// Reads query parameters with the validation messages of the original's validator.
struct QueryReader {
    let request: Request
    var issues: [APIError.FieldIssue] = []

    init(_ request: Request) { self.request = request }

    func raw(_ name: String) -> String? { request.uri.queryParameters.get(name) }

    mutating func fail(_ field: String, _ message: String) { issues.append(.init(field: field, message: message)) }

    mutating func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = raw(name) else { return fallback }
        guard let value = Int(text) else {
            fail(name, "Expected number, received nan")
            return fallback
        }
        if value < range.lowerBound { fail(name, "Number must be greater than or equal to \(range.lowerBound)") }
        if value > range.upperBound { fail(name, "Number must be less than or equal to \(range.upperBound)") }
        return value
    }

    mutating func string(_ name: String, min: Int = 0, max: Int = .max, required: Bool = false) -> String? {
        guard let text = raw(name) else {
            if required { fail(name, "Required") }
            return nil
        }
        // PostgreSQL takes no NUL in text: a 400, not its 500 (found by Tests/fuzz: search ?q=6%00…).
        if text.utf8.contains(0) { fail(name, "String must not contain NUL characters"); return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.jsLength < min { fail(name, "String must contain at least \(min) character(s)"); return nil }
        if text.jsLength > max { fail(name, "String must contain at most \(max) character(s)"); return nil }
        return text
    }

    mutating func oneOf(_ name: String, _ allowed: [String]) -> String? {
        guard let text = raw(name) else { return nil }
        guard allowed.contains(text) else {
            fail(name, "Invalid enum value. Expected \(allowed.map { "'\($0)'" }.joined(separator: " | ")), received '\(text)'")
            return nil
        }
        return text
    }

    /// ISO 8601 or PostgreSQL text; anything else is a 400 instead of the original's 500.
    mutating func date(_ name: String) -> Date? {
        guard let text = raw(name), !text.isEmpty else { return nil }
        guard let date = Timestamp.parse(text) else {
            fail(name, "Invalid datetime")
            return nil
        }
        return date
    }

    func check() throws {
        if !issues.isEmpty { throw APIError.validation(issues) }
    }
}
