import AgentIMCore
import Foundation

/// A room (http-api §16). REST renders nullable columns as `null`.
struct Room: Encodable, Sendable {
    var id: String
    var name: String
    var type: String
    var broadcastMode: Bool
    var systemPrompt: String?
    var routerId: String?
    var agentCommandRole: String
    var createdById: String
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, type, broadcastMode, systemPrompt, routerId, agentCommandRole, createdById, createdAt, updatedAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encode(broadcastMode, forKey: .broadcastMode)
        try c.encode(systemPrompt, forKey: .systemPrompt)
        try c.encode(routerId, forKey: .routerId)
        try c.encode(agentCommandRole, forKey: .agentCommandRole)
        try c.encode(createdById, forKey: .createdById)
        try c.encode(Timestamp.format(createdAt), forKey: .createdAt)
        try c.encode(Timestamp.format(updatedAt), forKey: .updatedAt)
    }
}

/// `RoomListItem`: the room plus the caller's pin and archive state.
struct RoomListItem: Encodable, Sendable {
    var room: Room
    var pinnedAt: Date?
    var archivedAt: Date?

    enum CodingKeys: String, CodingKey { case pinnedAt, archivedAt }

    func encode(to encoder: any Encoder) throws {
        try room.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pinnedAt.map(Timestamp.format), forKey: .pinnedAt)
        try c.encode(archivedAt.map(Timestamp.format), forKey: .archivedAt)
    }
}

/// `RoomMemberRow` (http-api §16).
struct RoomMember: Encodable, Sendable {
    var roomId: String
    var memberId: String
    var memberType: String
    var role: String
    var roleDescription: String?
    var notificationPref: String
    var pinnedAt: Date?
    var archivedAt: Date?
    var lastReadAt: Date?
    var clearedAt: Date?
    var joinedAt: Date

    enum CodingKeys: String, CodingKey {
        case roomId, memberId, memberType, role, roleDescription, notificationPref, pinnedAt, archivedAt, lastReadAt, clearedAt, joinedAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(roomId, forKey: .roomId)
        try c.encode(memberId, forKey: .memberId)
        try c.encode(memberType, forKey: .memberType)
        try c.encode(role, forKey: .role)
        try c.encode(roleDescription, forKey: .roleDescription)
        try c.encode(notificationPref, forKey: .notificationPref)
        try c.encode(pinnedAt.map(Timestamp.format), forKey: .pinnedAt)
        try c.encode(archivedAt.map(Timestamp.format), forKey: .archivedAt)
        try c.encode(lastReadAt.map(Timestamp.format), forKey: .lastReadAt)
        try c.encode(clearedAt.map(Timestamp.format), forKey: .clearedAt)
        try c.encode(Timestamp.format(joinedAt), forKey: .joinedAt)
    }
}

/// What a user may do with a room, as the edge asks before joining a socket to it.
public enum RoomAccess: String, Codable, Sendable {
    case creator, member, none, missing
}
