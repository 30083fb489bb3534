import Foundation

/// A `/ws/client` frame after parsing, limits and schema checks (websocket §3.2, §5, §12,
/// §14, §16): one case per client type of the protocol, decoded once.
public enum ClientFrame: Sendable, Equatable {
    case auth(token: String, protocolVersion: String?)
    case ping(ts: Double)
    /// `lastSeq` (an extension): the last room sequence the client saw; later messages are replayed.
    case joinRoom(roomId: String, lastSeq: Int64?)
    case leaveRoom(roomId: String)
    case sendMessage(SendMessage)
    case typing(roomId: String)
    case stopGeneration(roomId: String, agentId: String)
    case permissionResponse(PermissionAnswer)
    case agentCommand(AgentCommandRequest)
    case queryAgentInfo(agentId: String, roomId: String?)
    /// `request` is the client's object (its `kind` checked), passed on to the gateway as sent.
    case requestWorkspace(roomId: String, agentId: String, request: JSONValue)
    case listGatewayCredentials(GatewayRequest)
    case addGatewayCredential(GatewayRequest)
    case manageGatewayCredential(GatewayRequest)
    case startGatewayOAuth(GatewayRequest)
    case completeGatewayOAuth(GatewayRequest)
    case rewindRoom(roomId: String, messageId: String)
    /// A frame of an agent or gateway type whose fields fail its schema. The hub has always
    /// judged these only after auth and the per-user limit, so the refusal waits until then:
    /// answered with `reason` as `server:error`, or dropped without answer when it is nil.
    case refused(type: String, reason: Rejection?)

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

    /// `client:permission_response` (websocket §12).
    public struct PermissionAnswer: Sendable, Equatable {
        public var requestId: String
        /// `allow`, `allowAlways` or `deny`.
        public var decision: String
        public var denyReason: String?

        public init(requestId: String, decision: String, denyReason: String?) {
            self.requestId = requestId
            self.decision = decision
            self.denyReason = denyReason
        }
    }

    /// `client:agent_command` (websocket §14); `args` is empty when the client sent none.
    public struct AgentCommandRequest: Sendable, Equatable {
        public var agentId: String
        public var roomId: String
        public var command: String
        public var args: String

        public init(agentId: String, roomId: String, command: String, args: String) {
            self.agentId = agentId
            self.roomId = roomId
            self.command = command
            self.args = args
        }
    }

    /// A credential or OAuth request for one gateway (websocket §16.2). `fields` are the
    /// frame's other members (not `type`, not `gatewayId`), relayed to the gateway as sent;
    /// for `client:add_gateway_credential` `mode` is always present (`api` by default).
    public struct GatewayRequest: Sendable, Equatable {
        public var gatewayId: String
        public var fields: [String: JSONValue]

        public init(gatewayId: String, fields: [String: JSONValue]) {
            self.gatewayId = gatewayId
            self.fields = fields
        }
    }

    /// Why a frame was refused, with the `server:error` code and text of §3.2 (and §16.2's
    /// missing API key).
    public enum Rejection: Error, Equatable, Sendable {
        case tooLarge, invalidJSON, tooDeep, tooWide, invalidMessage, apiKeyRequired

        public var code: String {
            switch self {
            case .tooLarge: "MESSAGE_TOO_LARGE"
            case .invalidJSON: "INVALID_JSON"
            case .tooDeep, .tooWide: "JSON_TOO_DEEP"
            case .invalidMessage: "INVALID_MESSAGE"
            case .apiKeyRequired: "INVALID_REQUEST"
            }
        }

        public var message: String {
            switch self {
            case .tooLarge: "Message exceeds maximum size"
            case .invalidJSON: "Invalid JSON"
            case .tooDeep: "JSON nesting depth exceeded"
            case .tooWide: "JSON collection size exceeded"
            case .invalidMessage: "Invalid message format"
            case .apiKeyRequired: "API key is required for api mode"
            }
        }
    }

    public var type: String {
        switch self {
        case .auth: "client:auth"
        case .ping: "client:ping"
        case .joinRoom: "client:join_room"
        case .leaveRoom: "client:leave_room"
        case .sendMessage: "client:send_message"
        case .typing: "client:typing"
        case .stopGeneration: "client:stop_generation"
        case .permissionResponse: "client:permission_response"
        case .agentCommand: "client:agent_command"
        case .queryAgentInfo: "client:query_agent_info"
        case .requestWorkspace: "client:request_workspace"
        case .listGatewayCredentials: "client:list_gateway_credentials"
        case .addGatewayCredential: "client:add_gateway_credential"
        case .manageGatewayCredential: "client:manage_gateway_credential"
        case .startGatewayOAuth: "client:start_gateway_oauth"
        case .completeGatewayOAuth: "client:complete_gateway_oauth"
        case .rewindRoom: "client:rewind_room"
        case .refused(let type, _): type
        }
    }
}
