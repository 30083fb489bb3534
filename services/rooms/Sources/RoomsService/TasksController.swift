import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/tasks` (http-api §9).
struct TasksController {
    let service: RoomsService
    var tasks: TaskStore { service.tasks }
    var rooms: RoomStore { service.rooms }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: listMine)
        group.get("rooms/:roomId", use: listRoom)
        group.post("rooms/:roomId", use: create)
        group.put(":id", use: update)
        group.delete(":id", use: delete)
    }

    static let statuses = ["pending", "in_progress", "completed", "failed", "cancelled"]

    func isMember(_ userId: String, _ roomId: String) async throws -> Bool {
        try await rooms.isMember(userId: userId, roomId: roomId)
    }

    func listMine(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let limit = Paging.clamped(request.uri.queryParameters.get("limit"), default: 50, range: 1...100)
        let offset = Paging.clamped(request.uri.queryParameters.get("offset"), default: 0, range: 0...Int.max)
        return ok(try await tasks.list(userId: caller.id, limit: limit, offset: offset).map { $0.view(.rest) })
    }

    func listRoom(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let roomId = try context.parameters.id("roomId")
        guard try await isMember(caller.id, roomId) else { throw APIError(403, "Not a member of this room") }
        let limit = Paging.clamped(request.uri.queryParameters.get("limit"), default: 50, range: 1...100)
        let offset = Paging.clamped(request.uri.queryParameters.get("offset"), default: 0, range: 0...Int.max)
        return ok(try await tasks.list(roomId: roomId, limit: limit, offset: offset).map { $0.view(.rest) })
    }

    /// `dueDate`: an ISO 8601 date-time in UTC `Z` form.
    static func readDueDate(_ reader: inout FieldReader) -> Date?? {
        if reader.isNull("dueDate") { return .some(nil) }
        guard let text = reader.string("dueDate", optional: true) else { return nil }
        guard text.hasSuffix("Z"), text.contains("T"), let date = Timestamp.parse(text) else {
            reader.fail("dueDate", "Invalid datetime")
            return nil
        }
        return .some(date)
    }

    static func readTitle(_ reader: inout FieldReader, optional: Bool) -> String? {
        let title = reader.string("title", min: 1, max: 200, optional: optional)
        if let title, title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { reader.fail("title", "validation.titleWhitespace") }
        return title
    }

    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let roomId = try context.parameters.id("roomId")
        guard try await isMember(caller.id, roomId) else { throw APIError(403, "Not a member of this room") }
        var reader = FieldReader(try await request.jsonBody())
        let title = Self.readTitle(&reader, optional: false)
        let description = reader.string("description", max: 10_000, optional: true) ?? ""
        let dueDate = Self.readDueDate(&reader) ?? nil
        let assigneeId = reader.string("assigneeId", max: 100, optional: true)
        let assigneeType = reader.oneOf("assigneeType", ["user", "agent"])
        try reader.check()
        guard let title else { throw APIError.invalidJSON }
        var type: String?
        if let assigneeId {
            type = assigneeType ?? "user"
            guard try await rooms.hasMember(roomId: roomId, memberId: assigneeId, type: type!) else {
                throw APIError(400, "Assignee is not a member of this room")
            }
        }
        let now = MessageStore.now()
        let task = RoomTask(id: Nanoid.make(), roomId: roomId, title: Sanitizer.text(title), description: Sanitizer.content(description),
                            status: "pending", result: nil, dueDate: dueDate, assigneeId: assigneeId, assigneeType: type,
                            createdById: caller.id, createdAt: now, updatedAt: now)
        try await tasks.insert(task)
        return ok(task.view(.rest), status: .created)
    }

    func update(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        var reader = FieldReader(try await request.jsonBody())
        let title = Self.readTitle(&reader, optional: true)
        let description = reader.string("description", max: 10_000, optional: true)
        let status = reader.oneOf("status", Self.statuses)
        let resultNull = reader.isNull("result")
        let result = resultNull ? nil : reader.string("result", max: 100_000, optional: true)
        let dueDate = Self.readDueDate(&reader)
        let assigneeIdNull = reader.isNull("assigneeId")
        let assigneeId = assigneeIdNull ? nil : reader.string("assigneeId", max: 100, optional: true)
        let assigneeTypeNull = reader.isNull("assigneeType")
        let assigneeType = assigneeTypeNull ? nil : reader.oneOf("assigneeType", ["user", "agent"])
        try reader.check()

        guard var task = try await tasks.find(id) else { throw APIError(404, "Task not found") }
        guard let room = try await rooms.find(task.roomId), let role = try await rooms.role(userId: caller.id, room: room) else {
            throw APIError(403, "Not a member of this room")
        }
        let changesDetails = title != nil || description != nil || reader.has("result") || dueDate != nil
            || reader.has("assigneeId") || reader.has("assigneeType")
        if changesDetails {
            let allowed = task.createdById == caller.id || task.assigneeId == caller.id || role == "owner" || role == "admin"
            guard allowed else { throw APIError(403, "Only task creator, assignee, or room admin can modify task details") }
        }
        if assigneeIdNull || assigneeTypeNull {
            task.assigneeId = nil
            task.assigneeType = nil
        } else if assigneeId != nil || assigneeType != nil {
            if assigneeType != nil && assigneeId == nil && task.assigneeId == nil {
                throw APIError(400, "assigneeId is required when assigneeType is set")
            }
            let newType = assigneeType ?? task.assigneeType ?? "user"
            let newId = assigneeId ?? task.assigneeId
            if assigneeId == nil, let current = task.assigneeId,
               !(try await rooms.hasMember(roomId: task.roomId, memberId: current, type: newType)) {
                throw APIError(400, "Current assignee is not valid for the new assigneeType; provide a new assigneeId")
            }
            if let newId, assigneeId != nil, !(try await rooms.hasMember(roomId: task.roomId, memberId: newId, type: newType)) {
                throw APIError(400, "Assignee is not a member of this room")
            }
            task.assigneeId = newId
            task.assigneeType = newType
        }
        if let status {
            if status == "in_progress", task.status == "completed" || task.status == "cancelled" {
                throw APIError(400, "Cannot transition from \"\(task.status)\" to \"in_progress\"")
            }
            task.status = status
        }
        if let title { task.title = Sanitizer.text(title) }
        if let description { task.description = Sanitizer.content(description) }
        if resultNull { task.result = nil } else if let result { task.result = result }
        if let dueDate { task.dueDate = dueDate }
        task.updatedAt = MessageStore.now()
        try await tasks.save(task)
        return ok(task.view(.rest))
    }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard let task = try await tasks.find(id) else { throw APIError(404, "Task not found") }
        guard let room = try await rooms.find(task.roomId), let role = try await rooms.role(userId: caller.id, room: room) else {
            throw APIError(403, "Not a member of this room")
        }
        guard task.createdById == caller.id || role == "owner" || role == "admin" else {
            throw APIError(403, "Only task creator or room admin can delete")
        }
        try await tasks.delete(id)
        return okEmpty()
    }
}
