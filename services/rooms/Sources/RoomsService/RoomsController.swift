import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/rooms` (http-api §6.1–6.3, §6.7).
struct RoomsController {
    let service: RoomsService
    var rooms: RoomStore { service.rooms }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.post("", use: create)
        group.get(":id", use: show)
        group.post(":id/members", use: addMember)
    }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await service.authenticate(request)
        return ok(try await rooms.list(for: caller.id))
    }

    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await service.authenticate(request)
        var reader = FieldReader(try await request.jsonBody())
        let name = reader.string("name", min: 1, max: 100)
        if let name, name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { reader.fail("name", "validation.nameWhitespace") }
        let type = reader.oneOf("type", ["private", "group"]) ?? "group"
        let broadcastMode = reader.bool("broadcastMode") ?? false
        let systemPrompt = reader.string("systemPrompt", max: 10_000, optional: true)
        let routerId = reader.string("routerId", max: 100, optional: true)
        let agentCommandRole = reader.oneOf("agentCommandRole", ["member", "admin", "owner"]) ?? "member"
        let memberIds = reader.stringArray("memberIds", maxItems: 100, maxLength: 100) ?? []
        try reader.check()
        guard let name else { throw APIError.invalidJSON }
        if routerId != nil {
            // Routers arrive with the routing service; until one exists none can be referenced.
            throw APIError(404, "Router not found")
        }
        var seen = Set<String>([caller.id])
        let members = memberIds.filter { seen.insert($0).inserted }
        if try await rooms.countUsers(members) != members.count { throw APIError(400, "One or more users not found") }
        let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let room = Room(id: Nanoid.make(), name: Sanitizer.text(name), type: type, broadcastMode: broadcastMode,
                        systemPrompt: systemPrompt, routerId: nil, agentCommandRole: agentCommandRole,
                        createdById: caller.id, createdAt: now, updatedAt: now)
        try await rooms.create(room, memberIds: members)
        return ok(room, status: .created)
    }

    struct RoomDetail: Encodable, Sendable {
        var room: Room
        var members: [RoomMember]
        var totalMembers: Int

        enum CodingKeys: String, CodingKey { case members, totalMembers }

        func encode(to encoder: any Encoder) throws {
            try room.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(members, forKey: .members)
            try c.encode(totalMembers, forKey: .totalMembers)
        }
    }

    func show(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await service.authenticate(request)
        let id = try context.parameters.id("id")
        guard let room = try await rooms.find(id) else { throw APIError(404, "Room not found") }
        guard try await rooms.role(userId: caller.id, room: room) != nil else { throw APIError(403, "Not a member of this room") }
        return ok(RoomDetail(room: room, members: try await rooms.members(roomId: id, limit: 100, offset: 0),
                             totalMembers: try await rooms.countMembers(roomId: id)))
    }

    func addMember(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await service.authenticate(request)
        let id = try context.parameters.id("id")
        var reader = FieldReader(try await request.jsonBody())
        let memberId = reader.string("memberId", min: 1, max: 100)
        let memberType = reader.oneOf("memberType", ["user", "agent"], optional: false)
        let role = reader.oneOf("role", ["owner", "admin", "member"]) ?? "member"
        let roleDescription = reader.string("roleDescription", max: 500, optional: true)
        try reader.check()
        guard let memberId, let memberType else { throw APIError.invalidJSON }
        guard let room = try await rooms.find(id),
              let callerRole = try await rooms.role(userId: caller.id, room: room),
              callerRole == "owner" || callerRole == "admin" else {
            throw APIError(403, "Only room owner or admin can add members")
        }
        if memberType == "user" {
            guard try await rooms.userExists(memberId) else { throw APIError(404, "User not found") }
        } else {
            // Agents register through gateways (a later part of the hub); none exist yet.
            throw APIError(404, "Agent not found")
        }
        guard try await rooms.addMember(roomId: id, memberId: memberId, memberType: memberType, role: role,
                                        roleDescription: roleDescription) else {
            throw APIError(409, "Member already in room")
        }
        try await service.runtime.publish(BusStream.control, ControlEvent.membershipChanged(roomId: id, userId: memberId))
        return okEmpty(status: .created)
    }
}
