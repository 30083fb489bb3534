import AgentIMCore
import AsyncHTTPClient
import Foundation

/// Answers "may this user join this room?" for `client:join_room`: `creator`, `member`,
/// `none` or `missing`. In one process the rooms store answers directly; across processes
/// the rooms service answers over internal HTTP.
public struct RoomAccessLookup: Sendable {
    let lookup: @Sendable (_ userId: String, _ roomId: String) async throws -> String

    public init(_ lookup: @escaping @Sendable (_ userId: String, _ roomId: String) async throws -> String) {
        self.lookup = lookup
    }

    func access(userId: String, roomId: String) async throws -> String {
        try await lookup(userId, roomId)
    }

    static func remote(_ rooms: ServiceURL, client: HTTPClient) -> RoomAccessLookup {
        RoomAccessLookup { userId, roomId in
            let path = "/internal/rooms/\(Self.escape(roomId))/access/\(Self.escape(userId))"
            let response = try await client.execute(HTTPClientRequest(url: rooms.base + path), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 64 * 1024)
            guard response.status == .ok else { throw APIError(502, "rooms service answered \(response.status.code)") }
            let decoded = try JSONDecoder().decode(Envelope.self, from: Data(buffer: body))
            return decoded.data
        }
    }

    struct Envelope: Decodable { var data: String }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? segment
    }
}
