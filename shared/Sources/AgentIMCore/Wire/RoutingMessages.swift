import AgentIMWire
import Foundation

/// Work between rooms and router (DESIGN "The bus"): rooms asks, router decides, rooms
/// delivers. Both directions are commands (consumer groups, at-least-once), so every
/// handler is idempotent by the ids carried here.
public extension BusStream {
    /// Work for the router service (consumer group `router`).
    static let routerCommands = "agentim:cmd:router"
}

/// A command for the router service, sent by rooms.
public enum RouterCommand: Codable, Sendable, Equatable {
    /// A broadcast-mode human message that mentioned no agent: which agents answer (websocket §11.8)?
    case route(RouteRequest)
    /// A mention matching a service agent's name (websocket §11.7).
    case callServiceAgent(ServiceAgentCall)
}

/// An agent the router LLM may choose (CLI agents of the room, any status).
public struct RouteCandidate: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var type: String
    public var capabilities: [String]

    public init(id: String, name: String, type: String, capabilities: [String]) {
        self.id = id
        self.name = name
        self.type = type
        self.capabilities = capabilities
    }
}

/// Everything the router needs to decide without reading rooms' tables.
public struct RouteRequest: Codable, Sendable, Equatable {
    /// The human message's id: one decision per message, however often the command is delivered.
    public var messageId: String
    public var roomId: String
    /// The room's assigned router, if any (a personal one counts only if `roomCreatedById` created it).
    public var routerId: String?
    public var roomCreatedById: String
    public var systemPrompt: String?
    /// The sanitised message content.
    public var content: String
    public var senderId: String
    public var senderName: String
    public var conversationId: String
    public var candidates: [RouteCandidate]

    public init(messageId: String, roomId: String, routerId: String?, roomCreatedById: String, systemPrompt: String?,
                content: String, senderId: String, senderName: String, conversationId: String, candidates: [RouteCandidate]) {
        self.messageId = messageId
        self.roomId = roomId
        self.routerId = routerId
        self.roomCreatedById = roomCreatedById
        self.systemPrompt = systemPrompt
        self.content = content
        self.senderId = senderId
        self.senderName = senderName
        self.conversationId = conversationId
        self.candidates = candidates
    }
}

/// The router's answer: the agents that should receive the message. Sent only when the
/// list is non-empty (no router, an LLM failure or `[]` route nothing, websocket §11.1).
public struct RouteDecision: Codable, Sendable, Equatable {
    public var messageId: String
    public var roomId: String
    public var agentIds: [String]
    public var conversationId: String
    public var senderId: String
    public var senderName: String
    public var content: String

    public init(messageId: String, roomId: String, agentIds: [String], conversationId: String,
                senderId: String, senderName: String, content: String) {
        self.messageId = messageId
        self.roomId = roomId
        self.agentIds = agentIds
        self.conversationId = conversationId
        self.senderId = senderId
        self.senderName = senderName
        self.content = content
    }
}

/// A service agent was mentioned: call its provider with the message content.
public struct ServiceAgentCall: Codable, Sendable, Equatable {
    /// Minted by rooms; becomes the reply message's id, so a redelivered call stores one reply.
    public var requestId: String
    public var roomId: String
    public var messageId: String
    /// The name as mentioned (matched case-insensitively against active service agents).
    public var mentionName: String
    public var content: String
    public var senderName: String

    public init(requestId: String, roomId: String, messageId: String, mentionName: String, content: String, senderName: String) {
        self.requestId = requestId
        self.roomId = roomId
        self.messageId = messageId
        self.mentionName = mentionName
        self.content = content
        self.senderName = senderName
    }
}

/// A service agent's answer, for rooms to store (id = the call's `requestId`) and broadcast.
public struct ServiceAgentReply: Codable, Sendable, Equatable {
    public var requestId: String
    public var roomId: String
    public var serviceAgentId: String
    public var serviceAgentName: String
    public var content: String
    /// Media the uploads service stored for this reply (`InternalRoutes.storeGeneratedMedia`),
    /// linked to the message when rooms stores it; absent for text.
    public var attachmentIds: [String]?

    public init(requestId: String, roomId: String, serviceAgentId: String, serviceAgentName: String, content: String,
                attachmentIds: [String]? = nil) {
        self.requestId = requestId
        self.roomId = roomId
        self.serviceAgentId = serviceAgentId
        self.serviceAgentName = serviceAgentName
        self.content = content
        self.attachmentIds = attachmentIds
    }
}

/// A failed service-agent call: rooms shows the room a non-persisted notice `@<name>: <error>`.
public struct ServiceAgentFailure: Codable, Sendable, Equatable {
    public var requestId: String
    public var roomId: String
    public var serviceAgentName: String
    public var error: String

    public init(requestId: String, roomId: String, serviceAgentName: String, error: String) {
        self.requestId = requestId
        self.roomId = roomId
        self.serviceAgentName = serviceAgentName
        self.error = error
    }
}
