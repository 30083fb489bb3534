import AgentIMCore
import AgentIMRuntime
import Foundation

/// `client:rewind_room` (websocket §16.5): the room goes back to before one of the user's
/// own messages; every agent of the room must be able to rewind too.
struct RoomRewind: Sendable {
    let service: RoomsService
    var runtime: Runtime { service.runtime }

    struct Rewound: Encodable {
        let type = "server:room_rewound"
        let roomId: String
        let messageId: String
        let removedMessageIds: [String]
        let messageContent: String
    }

    func rewind(origin: AgentIMCore.SocketAddress, userId: String, roomId: String, messageId: String) async throws {
        func refuse(_ code: String, _ message: String) async throws {
            try await runtime.deliver(Delivery(audience: .socket(origin), frame: ServerFrame.error(code: code, message: message)))
        }
        guard let room = try await service.rooms.find(roomId), try await service.rooms.role(userId: userId, room: room) != nil else {
            return try await refuse("NOT_A_MEMBER", "You are not a member of this room")
        }
        guard let target = try await service.messages.find(messageId), target.roomId == roomId else {
            return try await refuse("INVALID_MESSAGE", "Message not found in this room")
        }
        guard target.senderId == userId else { return try await refuse("PERMISSION_DENIED", "You can only rewind to your own messages") }
        guard target.senderType == "user" else { return try await refuse("PERMISSION_DENIED", "Can only rewind to user messages") }
        let agents = try await service.agents.members(of: roomId)
        if let unable = agents.first(where: { !($0.capabilities ?? []).contains("rewind") }) {
            return try await refuse("PERMISSION_DENIED", "Agent \(unable.id) does not support rewind")
        }
        let removed: [String]
        do {
            removed = try await service.messages.removeFrom(roomId: roomId, createdAt: target.createdAt)
        } catch {
            runtime.logger.error("rewind of room \(roomId) failed: \(error)")
            return try await refuse("INTERNAL_ERROR", "Failed to rewind room")
        }
        for agent in agents {
            try await runtime.deliver(Delivery(audience: .agent(agent.id), frame: AgentFrames.relay(
                .object(["agentId": .string(agent.id), "roomId": .string(roomId), "messageId": .string(messageId)]), as: "server:rewind_agent")))
        }
        try await runtime.deliver(Delivery(audience: .room(roomId), frame: RoomEvents.frame(Rewound(
            roomId: roomId, messageId: messageId, removedMessageIds: removed, messageContent: target.content))))
    }
}
