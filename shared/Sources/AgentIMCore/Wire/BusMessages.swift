import AgentIMWire
import Foundation

/// Names of the streams on the bus (DESIGN "The bus"), namespaced `agentim:`.
public enum BusStream {
    /// Work for the rooms service (consumer group `rooms`).
    public static let roomsCommands = "agentim:cmd:rooms"
    /// Frames for every edge to deliver to the sockets it holds.
    public static let events = "agentim:events"
    /// Cache invalidation and revocation, read by every process.
    public static let control = "agentim:control"
    /// Audit rows for the auth service to store (consumer group `auth`).
    public static let auditCommands = "agentim:cmd:audit"
}

/// Consumer groups on the bus: one name per service that shares a stream's work among its
/// replicas. The workers, the metrics of their backlog and the edges' backlog sampler name the
/// same group, so it is written once.
public enum BusGroup {
    /// The rooms services, on `BusStream.roomsCommands`.
    public static let rooms = "rooms"
    /// The rooms services' push sender, on `BusStream.events`.
    public static let push = "push"
    /// The auth services, on `BusStream.auditCommands`.
    public static let auth = "auth"
    /// The routers, on `BusStream.routerCommands`.
    public static let router = "router"
}

/// A command for the rooms service, sent by an edge when a socket asks for work.
public enum RoomsCommand: Codable, Sendable, Equatable {
    case sendMessage(SendMessageCommand)
    /// From router: deliver a broadcast-mode message to the agents the router LLM chose.
    case routeDecided(RouteDecision)
    /// From router: a service agent answered; store and broadcast it.
    case serviceAgentReplied(ServiceAgentReply)
    /// From router: a service-agent call failed; tell the room.
    case serviceAgentFailed(ServiceAgentFailure)
    /// From an edge: something a gateway or a client asked of an agent (websocket §8, §11–§14).
    case agent(AgentCommand)

    public struct SendMessageCommand: Codable, Sendable, Equatable {
        /// Chosen by the edge; becomes the message id, so a redelivered command stores nothing twice.
        public var commandId: String
        public var origin: SocketAddress
        public var userId: String
        public var username: String
        public var roomId: String
        public var content: String
        public var replyToId: String?
        public var attachmentIds: [String]
        public var clientMessageId: String?

        public init(commandId: String, origin: SocketAddress, userId: String, username: String, roomId: String,
                    content: String, replyToId: String?, attachmentIds: [String], clientMessageId: String?) {
            self.commandId = commandId
            self.origin = origin
            self.userId = userId
            self.username = username
            self.roomId = roomId
            self.content = content
            self.replyToId = replyToId
            self.attachmentIds = attachmentIds
            self.clientMessageId = clientMessageId
        }
    }
}

/// One socket on one edge process.
public struct SocketAddress: Codable, Sendable, Hashable {
    public var node: String
    public var socket: String
    public init(node: String, socket: String) {
        self.node = node
        self.socket = socket
    }
}

/// Who receives a delivery (websocket §9.2).
public enum Audience: Codable, Sendable, Equatable {
    case room(String, except: SocketAddress? = nil)
    case user(String)
    case socket(SocketAddress)
    case all
    /// The gateway socket that most recently registered the agent, on whichever edge holds it.
    case agent(String)
    /// The first live socket of a gateway id.
    case gateway(String)
    /// The sockets waiting on a hub-minted workspace request id (websocket §16.4), on whichever edge asked.
    case workspaceRequest(String)
}

/// A frame for the edges to hand to the sockets of `audience`. The frame is already
/// rendered, so an edge delivers it without a database read.
public struct Delivery: Codable, Sendable, Equatable {
    public var audience: Audience
    public var frame: String
    /// The message's room sequence, for frames that carry a new message: edges deliver
    /// those to each socket in sequence order, without gaps or duplicates.
    public var seq: Int64?

    public init(audience: Audience, frame: String, seq: Int64? = nil) {
        self.audience = audience
        self.frame = frame
        self.seq = seq
    }
}

/// Facts every process must act on at once.
public enum ControlEvent: Codable, Sendable, Equatable {
    /// Tokens of `userId` issued before `revokedAtMs` are dead; their sockets close with 1008.
    case tokensRevoked(userId: String, revokedAtMs: Int64)
    /// Membership of `userId` (or of everyone when nil) in `roomId` changed.
    case membershipChanged(roomId: String, userId: String?)
    /// `userId` was removed from `roomId` (or the room deleted): drop subscriptions.
    case evicted(roomId: String, userId: String)
    /// Rows of the `settings` table changed: processes re-read it (`RuntimeSettings.reload`).
    case settingsChanged(keys: [String])
    /// `agentId` was registered by `socket`: every other socket holding it lets go (websocket §8.2).
    case agentBound(agentId: String, socket: SocketAddress)
}

/// What an edge learns when a socket joins a room: may it, and where the room's sequence stands.
public struct RoomAccessInfo: Codable, Sendable, Equatable {
    /// `creator`, `member`, `none` or `missing`.
    public var access: String
    public var lastSeq: Int64

    public init(access: String, lastSeq: Int64) {
        self.access = access
        self.lastSeq = lastSeq
    }
}
