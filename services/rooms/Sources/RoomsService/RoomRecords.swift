import AgentIMCore
import AgentIMHTTP
import Foundation

/// How a record is written: REST bodies carry unset nullable columns as `null`, as the
/// original does; WebSocket frames leave them out (websocket §3.4).
enum Rendering: Sendable {
    case rest, socket

    /// `value` as this rendering writes a nullable column: `null` (REST) or absent (WebSocket) when unset.
    func nullable<T: Encodable & Sendable>(_ value: T?) -> Nullable<T>? {
        self == .rest || value != nil ? Nullable(value) : nil
    }
}

/// A row of `rooms`.
struct Room: Sendable {
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

    func view(_ rendering: Rendering) -> RoomView {
        RoomView(id: id, name: name, type: type, broadcastMode: broadcastMode, systemPrompt: rendering.nullable(systemPrompt),
                 routerId: Nullable(routerId), agentCommandRole: agentCommandRole, createdById: createdById,
                 createdAt: Timestamp.format(createdAt), updatedAt: Timestamp.format(updatedAt))
    }
}

/// A room as answers and frames show it (http-api §16). The list and detail answers add
/// their fields to the room's; a field they do not set is absent.
struct RoomView: Encodable, Sendable {
    var id: String
    var name: String
    var type: String
    var broadcastMode: Bool
    var systemPrompt: Nullable<String>?
    /// `null` when unset in frames too: the clients accept it.
    var routerId: Nullable<String>
    var agentCommandRole: String
    var createdById: String
    var createdAt: String
    var updatedAt: String
    /// `RoomListItem`: the caller's pin and archive state, `null` when unset.
    var pinnedAt: Nullable<String>?
    var archivedAt: Nullable<String>?
    /// The room detail: its first members and how many there are.
    var members: [RoomMemberView]?
    var totalMembers: Int?
}

/// `RoomListItem`: the room plus the caller's pin and archive state.
struct RoomListItem: Sendable {
    var room: Room
    var pinnedAt: Date?
    var archivedAt: Date?

    func view(_ rendering: Rendering) -> RoomView {
        var view = room.view(rendering)
        view.pinnedAt = Nullable(pinnedAt.map(Timestamp.format))
        view.archivedAt = Nullable(archivedAt.map(Timestamp.format))
        return view
    }
}

/// A row of `room_members`.
struct RoomMember: Sendable {
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

    func view(_ rendering: Rendering) -> RoomMemberView {
        RoomMemberView(roomId: roomId, memberId: memberId, memberType: memberType, role: role,
                       roleDescription: rendering.nullable(roleDescription), pinnedAt: rendering.nullable(pinnedAt.map(Timestamp.format)),
                       archivedAt: rendering.nullable(archivedAt.map(Timestamp.format)),
                       lastReadAt: rendering.nullable(lastReadAt.map(Timestamp.format)),
                       clearedAt: rendering.nullable(clearedAt.map(Timestamp.format)),
                       notificationPref: notificationPref, joinedAt: Timestamp.format(joinedAt), displayName: displayName)
    }
}

/// `RoomMemberRow` (http-api §16).
struct RoomMemberView: Encodable, Sendable {
    var roomId: String
    var memberId: String
    var memberType: String
    var role: String
    var roleDescription: Nullable<String>?
    var pinnedAt: Nullable<String>?
    var archivedAt: Nullable<String>?
    var lastReadAt: Nullable<String>?
    var clearedAt: Nullable<String>?
    var notificationPref: String
    var joinedAt: String
    var displayName: String?
}

/// What a user may do with a room, as the edge asks before joining a socket to it.
public enum RoomAccess: String, Codable, Sendable {
    case creator, member, none, missing
}
