import AgentIMWire
import Foundation

/// Hub → client frames (websocket §7), rendered to the JSON text sent on the socket.
/// Optional fields are omitted, never `null` (§3.4).
public enum ServerFrame {
    struct AuthResult: Encodable { let type = "server:auth_result"; let ok: Bool; let error: String?; let userId: String? }
    struct Pong: Encodable { let type = "server:pong"; let ts: JSONValue }
    struct ErrorFrame: Encodable { let type = "server:error"; let code: String; let message: String }
    struct NewMessage: Encodable { let type = "server:new_message"; let message: ChatMessage }
    struct Presence: Encodable { let type = "server:presence"; let userId: String; let username: String; let online: Bool }
    struct Typing: Encodable { let type = "server:typing"; let roomId: String; let userId: String; let username: String }

    struct HistoryGap: Encodable { let type = "server:history_gap"; let roomId: String; let lastSeq: Int64; let latestSeq: Int64 }

    /// Catch-up would be too long: the client should reload the room's history over REST.
    public static func historyGap(roomId: String, lastSeq: Int64, latestSeq: Int64) -> String {
        render(HistoryGap(roomId: roomId, lastSeq: lastSeq, latestSeq: latestSeq))
    }

    public static func authResult(ok: Bool, error: String? = nil, userId: String? = nil) -> String {
        render(AuthResult(ok: ok, error: error, userId: userId))
    }

    public static func pong(ts: Double) -> String { render(Pong(ts: .number(ts))) }

    public static func error(code: String, message: String) -> String {
        render(ErrorFrame(code: code, message: message))
    }

    public static func presence(userId: String, username: String, online: Bool) -> String {
        render(Presence(userId: userId, username: username, online: online))
    }

    public static func typing(roomId: String, userId: String, username: String) -> String {
        render(Typing(roomId: roomId, userId: userId, username: username))
    }

    static func render(_ value: some Encodable) -> String {
        // Encoding these fixed shapes cannot fail; an empty object would be a bug worth seeing.
        (try? JSONCoding.encodeString(value)) ?? "{}"
    }
}
