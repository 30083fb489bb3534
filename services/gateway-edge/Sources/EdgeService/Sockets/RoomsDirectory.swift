import AgentIMCore
import AsyncHTTPClient
import Foundation

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
        @Sendable func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
            let response = try await client.execute(HTTPClientRequest(url: rooms.base + path), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 64 << 20)
            guard response.status == .ok else { throw APIError(502, "rooms service answered \(response.status.code)") }
            return try JSONDecoder().decode(DataEnvelope<T>.self, from: Data(buffer: body)).data
        }
        return RoomsDirectory(
            accessInfo: { userId, roomId in
                try await get("/internal/rooms/\(escape(roomId))/access/\(escape(userId))", as: RoomAccessInfo.self)
            },
            messagesAfter: { roomId, seq, limit in
                try await get("/internal/rooms/\(escape(roomId))/messages?afterSeq=\(seq)&limit=\(limit)", as: [ChatMessage].self)
            })
    }

    struct DataEnvelope<T: Decodable>: Decodable { var data: T }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? segment
    }
}
