import AgentIMCore
import AsyncHTTPClient

/// What the edge asks the rooms service about sockets' rooms: may this user join, where
/// does the room's sequence stand, and which messages came after a sequence. In one
/// process the rooms service answers directly; across processes over internal HTTP.
public struct RoomsDirectory: Sendable {
    let accessInfo: @Sendable (_ userId: String, _ roomId: String) async throws -> RoomAccessInfo
    let messagesAfter: @Sendable (_ roomId: String, _ seq: Int64, _ limit: Int) async throws -> [ChatMessage]

    public init(accessInfo: @escaping @Sendable (_ userId: String, _ roomId: String) async throws -> RoomAccessInfo,
                messagesAfter: @escaping @Sendable (_ roomId: String, _ seq: Int64, _ limit: Int) async throws -> [ChatMessage]) {
        self.accessInfo = accessInfo
        self.messagesAfter = messagesAfter
    }

    static func remote(_ rooms: ServiceURL, client: HTTPClient) -> RoomsDirectory {
        let calls = InternalCalls(base: rooms, client: client)
        return RoomsDirectory(
            accessInfo: { userId, roomId in
                guard let info = try await calls.get("/internal/rooms/\(InternalCalls.escape(roomId))/access/\(InternalCalls.escape(userId))", as: RoomAccessInfo.self) else {
                    throw APIError(502, "rooms service sent no access info")
                }
                return info
            },
            messagesAfter: { roomId, seq, limit in
                try await calls.get("/internal/rooms/\(InternalCalls.escape(roomId))/messages?afterSeq=\(seq)&limit=\(limit)", as: [ChatMessage].self) ?? []
            })
    }
}
