import AgentIMCore
import AgentIMRuntime

/// What the edge asks the rooms service about sockets' rooms: may this user join, where
/// does the room's sequence stand, and which messages came after a sequence.
public struct RoomsDirectory: Sendable {
    let calls: InternalClient

    public init(_ calls: InternalClient) { self.calls = calls }

    func accessInfo(_ userId: String, _ roomId: String) async throws -> RoomAccessInfo {
        try await calls.call(InternalRoutes.roomAccess, RoomMember(roomId: roomId, userId: userId))
    }

    func messagesAfter(_ roomId: String, _ seq: Int64, _ limit: Int) async throws -> [ChatMessage] {
        try await calls.call(InternalRoutes.messagesAfter, RoomMessagesQuery(roomId: roomId, afterSeq: seq, limit: limit))
    }
}
