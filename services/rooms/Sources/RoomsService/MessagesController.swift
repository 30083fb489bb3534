import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/messages` (http-api §7.4).
struct MessagesController {
    let service: RoomsService

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("rooms/:roomId", use: history)
    }

    struct Page: Encodable, Sendable {
        var items: [ChatMessage]
        var nextCursor: String?
        var hasMore: Bool
    }

    func history(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await service.authenticate(request)
        let roomId = try context.parameters.id("roomId")
        let access = try await service.rooms.access(userId: caller.id, roomId: roomId)
        guard access == .creator || access == .member else { throw APIError(403, "Not a member of this room") }

        var issues: [APIError.FieldIssue] = []
        var limit = 50
        if let raw = request.uri.queryParameters.get("limit") {
            if let value = Int(raw), (1...100).contains(value) {
                limit = value
            } else if Int(raw) == nil {
                issues.append(.init(field: "limit", message: "Expected number, received nan"))
            } else {
                let value = Int(raw)!
                issues.append(.init(field: "limit", message: value < 1
                    ? "Number must be greater than or equal to 1" : "Number must be less than or equal to 100"))
            }
        }
        func date(_ name: String) -> Date? {
            guard let raw = request.uri.queryParameters.get(name), !raw.isEmpty else { return nil }
            guard let parsed = Timestamp.parse(raw) else {
                issues.append(.init(field: name, message: "Invalid date"))
                return nil
            }
            return parsed
        }
        let cursor = date("cursor")
        let after = date("after")
        if !issues.isEmpty { throw APIError.validation(issues) }

        let clearedAt = try await service.rooms.clearedAt(userId: caller.id, roomId: roomId)
        let page = try await service.messages.history(roomId: roomId, before: cursor, after: after, clearedAt: clearedAt, limit: limit)
        return ok(Page(items: page.items, nextCursor: page.hasMore ? page.items.last?.createdAt : nil, hasMore: page.hasMore))
    }
}
