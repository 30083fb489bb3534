import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/rooms` (http-api §6).
struct RoomsController {
    let service: RoomsService
    var rooms: RoomStore { service.rooms }
    var events: RoomEvents { service.events }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.post("", use: create)
        group.get(":id", use: show)
        group.put(":id", use: update)
        group.delete(":id", use: delete)
        group.get(":id/members", use: members)
        group.post(":id/members", use: addMember)
        group.delete(":id/members/:memberId", use: removeMember)
        group.put(":id/clear", use: clear)
        group.put(":id/pin", use: pin)
        group.put(":id/archive", use: archive)
        group.put(":id/notification-pref", use: notificationPref)
    }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        return ok(try await rooms.list(for: caller.id).map { $0.view(.rest) })
    }

    /// `name` rules shared by create and update: 1–100 chars, not only whitespace.
    static func readName(_ reader: inout FieldReader, optional: Bool) -> String? {
        let name = reader.string("name", min: 1, max: 100, optional: optional)
        if let name, name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { reader.fail("name", "validation.nameWhitespace") }
        return name
    }

    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let name = Self.readName(&reader, optional: false)
        let type = reader.oneOf("type", ["private", "group"]) ?? "group"
        let broadcastMode = reader.bool("broadcastMode") ?? false
        let systemPrompt = reader.string("systemPrompt", max: 10_000, optional: true)
        let routerId = reader.string("routerId", max: 100, optional: true)
        let agentCommandRole = reader.oneOf("agentCommandRole", ["member", "admin", "owner"]) ?? "member"
        let memberIds = reader.stringArray("memberIds", maxItems: 100, maxLength: 100) ?? []
        try reader.check()
        guard let name else { throw APIError.invalidJSON }
        if let routerId { try await service.checkRouter(routerId, caller: caller) }
        var seen = Set<String>([caller.id])
        let members = memberIds.filter { seen.insert($0).inserted }
        if try await rooms.countUsers(members) != members.count { throw APIError(400, "One or more users not found") }
        let now = MessageStore.now()
        let room = Room(id: Nanoid.make(), name: Sanitizer.text(name), type: type, broadcastMode: broadcastMode,
                        systemPrompt: systemPrompt, routerId: routerId, agentCommandRole: agentCommandRole,
                        createdById: caller.id, createdAt: now, updatedAt: now)
        try await rooms.create(room, memberIds: members)
        return ok(room.view(.rest), status: .created)
    }

    func show(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard let room = try await rooms.find(id) else { throw APIError(404, "Room not found") }
        guard try await rooms.role(userId: caller.id, room: room) != nil else { throw APIError(403, "Not a member of this room") }
        // The detail is the room with its first members and their count.
        var detail = room.view(.rest)
        detail.members = try await rooms.members(roomId: id, limit: 100, offset: 0).map { $0.view(.rest) }
        detail.totalMembers = try await rooms.countMembers(roomId: id)
        return ok(detail)
    }

    /// The caller's role in a room, counting the creator as owner; nil when not a member or no room.
    func adminRole(_ callerId: String, _ roomId: String) async throws -> (room: Room, role: String)? {
        guard let room = try await rooms.find(roomId), let role = try await rooms.role(userId: callerId, room: room),
              role == "owner" || role == "admin" else { return nil }
        return (room, role)
    }

    func update(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        var reader = FieldReader(try await request.jsonBody())
        var changes = RoomStore.RoomChanges()
        changes.name = Self.readName(&reader, optional: true).map(Sanitizer.text)
        changes.broadcastMode = reader.bool("broadcastMode")
        if reader.isNull("systemPrompt") { changes.systemPrompt = .some(nil) }
        else if let prompt = reader.string("systemPrompt", max: 10_000, optional: true) { changes.systemPrompt = .some(prompt) }
        if reader.isNull("routerId") { changes.routerId = .some(nil) }
        else if let router = reader.string("routerId", max: 100, optional: true) { changes.routerId = .some(router) }
        changes.agentCommandRole = reader.oneOf("agentCommandRole", ["member", "admin", "owner"])
        try reader.check()
        guard try await adminRole(caller.id, id) != nil else {
            throw APIError(403, "Only room owner or admin can update settings")
        }
        if case .some(.some(let routerId)) = changes.routerId { try await service.checkRouter(routerId, caller: caller) }
        try await rooms.update(id, changes)
        try await events.roomUpdated(id)
        try await service.registrar.contextChanged(id)
        guard let room = try await rooms.find(id) else { throw APIError(404, "Room not found") }
        return ok(room.view(.rest))
    }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard let room = try await rooms.find(id) else { throw APIError(404, "Room not found") }
        guard room.createdById == caller.id else { throw APIError(403, "Only room creator can delete") }
        let members = try await rooms.delete(id)
        for member in members { try await events.removed(userId: member, roomId: id) }
        return okEmpty()
    }

    struct MemberPage: Encodable, Sendable {
        let ok = true
        var data: [RoomMemberView]
        var pagination: Pagination
        struct Pagination: Encodable, Sendable { var limit: Int; var offset: Int; var total: Int }
    }

    func members(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard try await rooms.isMember(userId: caller.id, roomId: id) else { throw APIError(403, "Not a member of this room") }
        let limit = Paging.clamped(request.uri.queryParameters.get("limit"), default: 100, range: 1...500)
        let offset = Paging.clamped(request.uri.queryParameters.get("offset"), default: 0, range: 0...Int.max)
        let members = try await rooms.membersWithNames(roomId: id, limit: limit, offset: offset)
        return jsonResponse(MemberPage(data: members.map { $0.view(.rest) }, pagination: .init(limit: limit, offset: offset,
                                                                          total: try await rooms.countMembers(roomId: id))))
    }

    func addMember(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        var reader = FieldReader(try await request.jsonBody())
        let memberId = reader.string("memberId", min: 1, max: 100)
        let memberType = reader.oneOf("memberType", ["user", "agent"], optional: false)
        let role = reader.oneOf("role", ["owner", "admin", "member"]) ?? "member"
        let roleDescription = reader.string("roleDescription", max: 500, optional: true)
        try reader.check()
        guard let memberId, let memberType else { throw APIError.invalidJSON }
        guard try await adminRole(caller.id, id) != nil else { throw APIError(403, "Only room owner or admin can add members") }
        if memberType == "user" {
            guard try await rooms.userExists(memberId) else { throw APIError(404, "User not found") }
        } else {
            try await service.checkAgentForMembership(memberId, caller: caller)
        }
        guard try await rooms.addMember(roomId: id, memberId: memberId, memberType: memberType, role: role,
                                        roleDescription: roleDescription) else {
            throw APIError(409, "Member already in room")
        }
        try await service.runtime.publish(BusStream.control, ControlEvent.membershipChanged(roomId: id, userId: memberId))
        try await events.roomUpdated(id)
        try await service.registrar.contextChanged(id)
        return okEmpty(status: .created)
    }

    func removeMember(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        let memberId = try context.parameters.require("memberId")
        let room = try await rooms.find(id)
        if memberId == caller.id {
            guard let room, try await rooms.role(userId: caller.id, room: room) != nil else { throw APIError(403, "Not a member of this room") }
        } else {
            guard try await adminRole(caller.id, id) != nil else { throw APIError(403, "Only room owner or admin can remove members") }
        }
        guard let room else { throw APIError(404, "Room not found") }
        if memberId == room.createdById { throw APIError(400, "Cannot remove the room creator") }
        let outcome = try await rooms.removeMember(roomId: id, memberId: memberId)
        if outcome.removed {
            try await service.runtime.publish(BusStream.control, ControlEvent.membershipChanged(roomId: id, userId: memberId))
            if outcome.memberType == "user" { try await events.removed(userId: memberId, roomId: id) }
            try await events.roomUpdated(id)
            try await service.registrar.contextChanged(id)
        }
        return okEmpty()
    }

    struct Cleared: Encodable, Sendable { var clearedAt: String }

    func clear(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard try await rooms.hasMember(roomId: id, memberId: caller.id, type: "user") else { throw APIError(404, "Not a member") }
        let now = MessageStore.now()
        try await rooms.setCleared(userId: caller.id, roomId: id, at: now)
        try await events.cleared(userId: caller.id, roomId: id, at: Timestamp.format(now))
        return ok(Cleared(clearedAt: Timestamp.format(now)))
    }

    struct Pinned: Encodable, Sendable { var pinned: Bool }
    struct Archived: Encodable, Sendable { var archived: Bool }

    func pin(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard try await rooms.hasMember(roomId: id, memberId: caller.id, type: "user") else { throw APIError(404, "Not a member") }
        return ok(Pinned(pinned: try await rooms.toggle(.pinned, userId: caller.id, roomId: id)))
    }

    func archive(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard try await rooms.hasMember(roomId: id, memberId: caller.id, type: "user") else { throw APIError(404, "Not a member") }
        return ok(Archived(archived: try await rooms.toggle(.archived, userId: caller.id, roomId: id)))
    }

    func notificationPref(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        let body = try await request.jsonBody()
        guard let pref = body["pref"]?.stringValue, ["all", "mentions", "none"].contains(pref) else {
            throw APIError(400, "Invalid preference. Must be one of: all, mentions, none")
        }
        guard try await rooms.setNotificationPref(userId: caller.id, roomId: id, pref: pref) else {
            throw APIError(403, "Not a member of this room")
        }
        return okEmpty()
    }
}

/// Offset paging of http-api §1.10: non-numeric → default, then forced into range.
enum Paging {
    static func clamped(_ raw: String?, default fallback: Int, range: ClosedRange<Int>) -> Int {
        let value = raw.flatMap { Int($0) } ?? fallback
        return min(max(value, range.lowerBound), range.upperBound)
    }
}
