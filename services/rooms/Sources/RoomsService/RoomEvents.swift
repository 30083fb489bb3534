import AgentIMCore
import AgentIMRuntime
import Foundation

/// The WebSocket side effects of REST calls (http-api §17), rendered here and put on the
/// bus for the edges to deliver.
struct RoomEvents: Sendable {
    let runtime: Runtime
    let rooms: RoomStore

    struct RoomUpdate: Encodable { let type = "server:room_update"; let room: RoomView; let members: [RoomMemberView] }
    struct RoomRemoved: Encodable { let type = "server:room_removed"; let roomId: String }
    struct RoomCleared: Encodable { let type = "server:room_cleared"; let roomId: String; let clearedAt: String }
    struct ReadReceipt: Encodable { let type = "server:read_receipt"; let roomId: String; let userId: String; let username: String; let lastReadAt: String }
    struct MessageEdited: Encodable { let type = "server:message_edited"; let message: ChatMessage }
    struct MessageDeleted: Encodable { let type = "server:message_deleted"; let roomId: String; let messageId: String }
    struct ReactionUpdate: Encodable { let type = "server:reaction_update"; let roomId: String; let messageId: String; let reactions: [Reaction] }

    /// Frames are WebSocket renderings: optional fields omitted, never null.
    static func frame(_ value: some Encodable) throws -> String {
        try JSONCoding.encodeString(value)
    }

    func roomUpdated(_ roomId: String) async throws {
        guard let room = try await rooms.find(roomId) else { return }
        let members = try await rooms.members(roomId: roomId, limit: 500, offset: 0)
        try await runtime.deliver(Delivery(audience: .room(roomId), frame: Self.frame(RoomUpdate(room: room.view(.socket), members: members.map { $0.view(.socket) }))))
    }

    /// The user's sockets leave the room and are told so.
    func removed(userId: String, roomId: String) async throws {
        try await runtime.publish(BusStream.control, ControlEvent.evicted(roomId: roomId, userId: userId))
        try await runtime.deliver(Delivery(audience: .user(userId), frame: Self.frame(RoomRemoved(roomId: roomId))))
    }

    func cleared(userId: String, roomId: String, at: String) async throws {
        try await runtime.deliver(Delivery(audience: .user(userId), frame: Self.frame(RoomCleared(roomId: roomId, clearedAt: at))))
    }

    func read(roomId: String, userId: String, username: String, at: String) async throws {
        try await runtime.deliver(Delivery(audience: .room(roomId), frame: Self.frame(ReadReceipt(roomId: roomId, userId: userId, username: username, lastReadAt: at))))
    }

    func edited(_ message: ChatMessage) async throws {
        try await runtime.deliver(Delivery(audience: .room(message.roomId), frame: Self.frame(MessageEdited(message: message))))
    }

    func deleted(roomId: String, messageId: String) async throws {
        try await runtime.deliver(Delivery(audience: .room(roomId), frame: Self.frame(MessageDeleted(roomId: roomId, messageId: messageId))))
    }

    func reactions(roomId: String, messageId: String, reactions: [Reaction]) async throws {
        try await runtime.deliver(Delivery(audience: .room(roomId), frame: Self.frame(ReactionUpdate(roomId: roomId, messageId: messageId, reactions: reactions))))
    }

    func newMessage(_ message: ChatMessage) async throws {
        try await runtime.deliver(Delivery(audience: .room(message.roomId), frame: ServerFrame.newMessage(message), seq: message.seq))
    }
}
