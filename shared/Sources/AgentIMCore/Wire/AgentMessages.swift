import AgentIMWire
import Foundation

/// Work an edge hands to the rooms service on behalf of a gateway or a client socket
/// (websocket §8.1, §10.4, §11–§14). Ownership of the agent by the gateway socket is
/// checked by the edge before it publishes; the rest is checked by rooms.
public enum AgentCommand: Codable, Sendable, Equatable {
    /// `gateway:message_complete`.
    case completed(AgentCompletion)
    /// `gateway:agent_status`.
    case status(agentId: String, status: String, queueDepth: Int?)
    /// `gateway:unregister_agent` (one agent) or a gateway socket closing (its bound agents).
    case wentOffline(agentIds: [String], gatewayId: String, userId: String, gatewayClosed: Bool)
    /// `gateway:permission_request` (not an auto-approved tool).
    case permissionRequested(PermissionRequest)
    /// `client:permission_response`, with the rooms the answering socket has joined.
    case permissionAnswered(requestId: String, decision: String, denyReason: String?, joinedRooms: [String])
    /// `client:stop_generation` from a socket joined to `roomId`.
    case stopGeneration(roomId: String, agentId: String)
    /// `client:agent_command` from a socket joined to `roomId`.
    case agentCommand(origin: SocketAddress, userId: String, roomId: String, agentId: String, command: String, args: String)
    /// `client:query_agent_info`.
    case queryInfo(origin: SocketAddress, agentId: String, roomId: String?)
    /// `gateway:agent_info`: the reported settings, merged into the stored agent for the room(s).
    case reportedInfo(agentId: String, roomId: String?, info: JSONValue)
    /// `client:rewind_room` from a socket joined to `roomId` (websocket §16.5).
    case rewind(origin: SocketAddress, userId: String, roomId: String, messageId: String)
    /// `gateway:task_update` from a socket holding `agentIds`.
    case taskUpdate(agentIds: [String], taskId: String, status: String, result: String?)

    /// The room whose commands must stay in order with this one, if any.
    public var roomId: String? {
        switch self {
        case .completed(let completion): completion.roomId
        case .permissionRequested(let request): request.roomId
        case .stopGeneration(let roomId, _), .agentCommand(_, _, let roomId, _, _, _), .rewind(_, _, let roomId, _): roomId
        default: nil
        }
    }
}

public struct AgentCompletion: Codable, Sendable, Equatable {
    public var origin: SocketAddress
    public var agentId: String
    public var roomId: String
    public var messageId: String
    public var fullContent: String
    public var chunks: [JSONValue]?
    public var conversationId: String?
    public var depth: Int?
    public var targetAgentName: String?

    public init(origin: SocketAddress, agentId: String, roomId: String, messageId: String, fullContent: String,
                chunks: [JSONValue]?, conversationId: String?, depth: Int?, targetAgentName: String?) {
        self.origin = origin
        self.agentId = agentId
        self.roomId = roomId
        self.messageId = messageId
        self.fullContent = fullContent
        self.chunks = chunks
        self.conversationId = conversationId
        self.depth = depth
        self.targetAgentName = targetAgentName
    }
}

public struct PermissionRequest: Codable, Sendable, Equatable {
    public var requestId: String
    public var agentId: String
    public var roomId: String
    public var toolName: String
    public var toolInput: JSONValue
    public var timeoutMs: Int

    public init(requestId: String, agentId: String, roomId: String, toolName: String, toolInput: JSONValue, timeoutMs: Int) {
        self.requestId = requestId
        self.agentId = agentId
        self.roomId = roomId
        self.toolName = toolName
        self.toolInput = toolInput
        self.timeoutMs = timeoutMs
    }
}

/// What rooms answers when a gateway registers an agent (websocket §11.5).
public enum AgentRegistration: String, Codable, Sendable {
    /// Stored, online, bound to the registering socket.
    case registered
    /// Deleted while its gateway was offline: the socket gets `server:remove_agent`.
    case removed
    /// The id belongs to another user's gateway: dropped.
    case foreign
}

/// A gateway signing in (websocket §2.4 step 6), as the edge hands it to rooms.
public struct GatewayLogin: Codable, Sendable {
    public var userId: String
    public var gatewayId: String
    public var deviceInfo: JSONValue
    public var ephemeral: Bool
    /// The user's other live gateway sockets on the asking edge, for the `maxGateways` cap.
    public var liveSockets: Int
    public init(userId: String, gatewayId: String, deviceInfo: JSONValue, ephemeral: Bool, liveSockets: Int) {
        self.userId = userId
        self.gatewayId = gatewayId
        self.deviceInfo = deviceInfo
        self.ephemeral = ephemeral
        self.liveSockets = liveSockets
    }
}

/// `gateway:register_agent` (websocket §11.5), as the edge hands it to rooms.
public struct AgentRegistrationRequest: Codable, Sendable {
    public var userId: String
    public var gatewayId: String
    public var agent: JSONValue
    public init(userId: String, gatewayId: String, agent: JSONValue) {
        self.userId = userId
        self.gatewayId = gatewayId
        self.agent = agent
    }
}

/// What rooms answers to `gateway:auth`'s upsert (websocket §2.4 step 6).
public struct GatewayAdmission: Codable, Sendable, Equatable {
    public var ok: Bool
    public var error: String?
    public init(ok: Bool, error: String? = nil) {
        self.ok = ok
        self.error = error
    }
}

/// An agent's rooms and name, for the edge's checks on streamed chunks.
public struct AgentPlacement: Codable, Sendable, Equatable {
    public var name: String
    public var roomIds: [String]
    /// `offline` when no gateway socket holds the agent.
    public var status: String
    public init(name: String, roomIds: [String], status: String) {
        self.name = name
        self.roomIds = roomIds
        self.status = status
    }
}
