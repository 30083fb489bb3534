import Foundation

/// A `/ws/client` frame after parsing, limits and schema checks (websocket §3.2, §5).
public enum ClientFrame: Sendable, Equatable {
    case auth(token: String, protocolVersion: String?)
    case ping(ts: Double)
    /// `lastSeq` (an extension): the last room sequence the client saw; later messages are replayed.
    case joinRoom(roomId: String, lastSeq: Int64?)
    case leaveRoom(roomId: String)
    case sendMessage(SendMessage)
    case typing(roomId: String)
    /// A type of the protocol whose handling lives in a later part of the hub; valid but not acted on here.
    case deferred(type: String, body: JSONValue)

    public struct SendMessage: Sendable, Equatable, Codable {
        public var roomId: String
        public var content: String
        public var replyToId: String?
        public var attachmentIds: [String]
        /// Optional client-chosen id for idempotent retries (an extension; original clients omit it).
        public var clientMessageId: String?

        public init(roomId: String, content: String, replyToId: String?, attachmentIds: [String], clientMessageId: String?) {
            self.roomId = roomId
            self.content = content
            self.replyToId = replyToId
            self.attachmentIds = attachmentIds
            self.clientMessageId = clientMessageId
        }
    }

    /// Why a frame was refused, with the `server:error` code and text of §3.2.
    public enum Rejection: Error, Equatable, Sendable {
        case tooLarge, invalidJSON, tooDeep, tooWide, invalidMessage

        public var code: String {
            switch self {
            case .tooLarge: "MESSAGE_TOO_LARGE"
            case .invalidJSON: "INVALID_JSON"
            case .tooDeep, .tooWide: "JSON_TOO_DEEP"
            case .invalidMessage: "INVALID_MESSAGE"
            }
        }

        public var message: String {
            switch self {
            case .tooLarge: "Message exceeds maximum size"
            case .invalidJSON: "Invalid JSON"
            case .tooDeep: "JSON nesting depth exceeded"
            case .tooWide: "JSON collection size exceeded"
            case .invalidMessage: "Invalid message format"
            }
        }
    }

    static let deferredTypes: Set<String> = [
        "client:stop_generation", "client:permission_response", "client:agent_command",
        "client:query_agent_info", "client:request_workspace", "client:list_gateway_credentials",
        "client:add_gateway_credential", "client:manage_gateway_credential", "client:start_gateway_oauth",
        "client:complete_gateway_oauth", "client:rewind_room",
    ]

    public var type: String {
        switch self {
        case .auth: "client:auth"
        case .ping: "client:ping"
        case .joinRoom: "client:join_room"
        case .leaveRoom: "client:leave_room"
        case .sendMessage: "client:send_message"
        case .typing: "client:typing"
        case .deferred(let type, _): type
        }
    }

    public static func parse(_ text: String, maxLength: Int) throws(Rejection) -> ClientFrame {
        if text.jsLength > maxLength { throw .tooLarge }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw .invalidJSON
        }
        do {
            try value.checkShape()
        } catch .tooDeep {
            throw .tooDeep
        } catch {
            throw .tooWide
        }
        return try parse(value)
    }

    public static func parse(_ value: JSONValue) throws(Rejection) -> ClientFrame {
        guard case .object(let body) = value, let type = body["type"]?.stringValue else { throw .invalidMessage }
        func string(_ key: String, _ range: ClosedRange<Int>) throws(Rejection) -> String {
            guard let text = body[key]?.stringValue, range.contains(text.jsLength) else { throw .invalidMessage }
            return text
        }
        func optionalString(_ key: String, _ range: ClosedRange<Int>) throws(Rejection) -> String? {
            guard let raw = body[key] else { return nil }
            guard let text = raw.stringValue, range.contains(text.jsLength) else { throw .invalidMessage }
            return text
        }
        func stringArray(_ key: String, max: Int) throws(Rejection) -> [String]? {
            guard let raw = body[key] else { return nil }
            guard let items = raw.arrayValue, items.count <= max else { throw .invalidMessage }
            var result: [String] = []
            for item in items {
                guard let text = item.stringValue else { throw .invalidMessage }
                result.append(text)
            }
            return result
        }
        let unbounded = 1...Int.max
        switch type {
        case "client:auth":
            return .auth(token: try string("token", 1...2000), protocolVersion: try optionalString("protocolVersion", 0...Int.max))
        case "client:ping":
            guard let ts = body["ts"]?.numberValue else { throw .invalidMessage }
            return .ping(ts: ts)
        case "client:join_room":
            var lastSeq: Int64?
            if let raw = body["lastSeq"] {
                guard let number = raw.numberValue, number >= 0, number.rounded() == number, number < 9.0e15 else { throw .invalidMessage }
                lastSeq = Int64(number)
            }
            return .joinRoom(roomId: try string("roomId", unbounded), lastSeq: lastSeq)
        case "client:leave_room":
            return .leaveRoom(roomId: try string("roomId", unbounded))
        case "client:typing":
            return .typing(roomId: try string("roomId", unbounded))
        case "client:send_message":
            let roomId = try string("roomId", unbounded)
            let content = try string("content", 1...100_000)
            _ = try stringArray("mentions", max: 50)  // validated, then ignored: the hub parses mentions itself
            let attachmentIds = try stringArray("attachmentIds", max: 20) ?? []
            let replyToId = try optionalString("replyToId", 0...Int.max)
            let clientMessageId = try optionalString("clientMessageId", 1...100)
            return .sendMessage(SendMessage(roomId: roomId, content: content, replyToId: replyToId,
                                            attachmentIds: attachmentIds, clientMessageId: clientMessageId))
        default:
            guard deferredTypes.contains(type) else { throw .invalidMessage }
            return .deferred(type: type, body: value)
        }
    }
}
