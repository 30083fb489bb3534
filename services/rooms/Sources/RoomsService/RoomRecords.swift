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
        // REST bodies carry nulls as the original does; WebSocket frames omit them (websocket §3.4),
        // except `routerId`, which the clients accept as null.
        if encoder.isREST { try c.encode(systemPrompt, forKey: .systemPrompt) } else { try c.encodeIfPresent(systemPrompt, forKey: .systemPrompt) }
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
    /// Only in the members listing: the user's display name or the agent's name.
    var displayName: String? = nil

    enum CodingKeys: String, CodingKey {
        case roomId, memberId, memberType, role, roleDescription, notificationPref, pinnedAt, archivedAt, lastReadAt, clearedAt, joinedAt, displayName
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(roomId, forKey: .roomId)
        try c.encode(memberId, forKey: .memberId)
        try c.encode(memberType, forKey: .memberType)
        try c.encode(role, forKey: .role)
        let optional: [(CodingKeys, String?)] = [
            (.roleDescription, roleDescription), (.pinnedAt, pinnedAt.map(Timestamp.format)),
            (.archivedAt, archivedAt.map(Timestamp.format)), (.lastReadAt, lastReadAt.map(Timestamp.format)),
            (.clearedAt, clearedAt.map(Timestamp.format)),
        ]
        for (key, value) in optional {
            if encoder.isREST { try c.encode(value, forKey: key) } else { try c.encodeIfPresent(value, forKey: key) }
        }
        try c.encode(notificationPref, forKey: .notificationPref)
        try c.encode(Timestamp.format(joinedAt), forKey: .joinedAt)
        if let displayName { try c.encode(displayName, forKey: .displayName) }
    }
}

/// What a user may do with a room, as the edge asks before joining a socket to it.
public enum RoomAccess: String, Codable, Sendable {
    case creator, member, none, missing
}

extension Encoder {
    /// True when rendering a REST body (nulls kept), false for WebSocket frames (nulls omitted).
    var isREST: Bool { userInfo[MessageShape.restKey] as? Bool == true }
}
