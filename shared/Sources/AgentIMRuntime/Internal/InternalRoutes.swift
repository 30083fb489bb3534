import AgentIMCore

/// Every call one hub process makes to another, in one place. In the distributed topology
/// they travel over HTTP to the owner's listener (never the public one); in the
/// single-process hub they are direct calls. Paths, methods and JSON shapes are the wire
/// format: changing one breaks a rolling upgrade.
public enum InternalRoutes {
    // MARK: rooms: what an edge asks about sockets' rooms, gateways and agents

    /// May the user join the room, and where its sequence stands.
    public static let roomAccess = InternalRoute<RoomMember, RoomAccessInfo>(.get, "/internal/rooms/:roomId/access/:userId", owner: .rooms)
    /// The room's messages after a sequence, oldest first (at most `limit`, 1...1000), for catch-up.
    public static let messagesAfter = InternalRoute<RoomMessagesQuery, [ChatMessage]>(.get, "/internal/rooms/:roomId/messages", owner: .rooms)
    /// Rendered `server:permission_request` frames still pending in a room, for a late joiner.
    public static let pendingPermissions = InternalRoute<RoomRef, [String]>(.get, "/internal/rooms/:roomId/permissions", owner: .rooms)
    /// A gateway signing in: the gateway row is upserted, or the admission refused.
    public static let gatewayConnected = InternalRoute<GatewayLogin, GatewayAdmission>(.post, "/internal/gateways/connect", owner: .rooms)
    /// Whether the gateway belongs to the user and has a live socket somewhere.
    public static let gatewayOnline = InternalRoute<GatewayOwner, Bool>(.get, "/internal/gateways/:gatewayId/online/:userId", owner: .rooms)
    /// `gateway:register_agent`, stored by rooms.
    public static let registerAgent = InternalRoute<AgentRegistrationRequest, AgentRegistration>(.post, "/internal/agents/register", owner: .rooms)
    /// An agent's name, rooms and status (null: no such agent).
    public static let placement = InternalRoute<AgentRef, AgentPlacement?>(.get, "/internal/agents/:agentId/placement", owner: .rooms)

    // MARK: auth: users and revocations

    /// Every user's revocation instant, which an edge loads before it serves.
    public static let revocations = InternalRoute<InternalEmpty, [RevocationEntry]>(.get, "/internal/revocations", owner: .auth)
    /// A user's current site role (null: no such user), for the edge's `/api/admin/metrics`.
    public static let userRole = InternalRoute<UserRef, String?>(.get, "/internal/users/:userId/role", owner: .auth)
    /// The avatar the uploads service stored (http-api §11.2): `users` belongs to auth.
    public static let recordAvatar = InternalRoute<AvatarRecord, InternalEmpty>(.put, "/internal/users/:userId/avatar", owner: .auth)

    /// The non-sensitive runtime settings an admin stored (key → value), for the edge, which has no database.
    public static let settings = InternalRoute<InternalEmpty, [String: String]>(.get, "/internal/settings", owner: .auth)

    // MARK: every service

    /// Readiness: the process's checks, 200 when all hold and 503 otherwise (the body either way).
    /// The edge's `/api/health` waits at most 3 s for it.
    public static let health = InternalRoute<InternalEmpty, HealthReport>(
        .get, "/internal/health", owner: nil, answer: .bare(status: { $0.ok ? .ok : .serviceUnavailable }), timeout: .seconds(3))
    /// Liveness: the process answers at all.
    public static let live = InternalRoute<InternalEmpty, InternalEmpty>(.get, "/internal/live", owner: nil)
}

/// A user in a room.
public struct RoomMember: Codable, Sendable, Equatable {
    public var roomId: String
    public var userId: String
    public init(roomId: String, userId: String) {
        self.roomId = roomId
        self.userId = userId
    }
}

/// A room's messages after `afterSeq`, at most `limit`.
public struct RoomMessagesQuery: Codable, Sendable, Equatable {
    public var roomId: String
    public var afterSeq: Int64
    public var limit: Int
    public init(roomId: String, afterSeq: Int64, limit: Int) {
        self.roomId = roomId
        self.afterSeq = afterSeq
        self.limit = limit
    }
}

public struct RoomRef: Codable, Sendable, Equatable {
    public var roomId: String
    public init(roomId: String) { self.roomId = roomId }
}

public struct AgentRef: Codable, Sendable, Equatable {
    public var agentId: String
    public init(agentId: String) { self.agentId = agentId }
}

public struct UserRef: Codable, Sendable, Equatable {
    public var userId: String
    public init(userId: String) { self.userId = userId }
}

/// A gateway and the user it should belong to.
public struct GatewayOwner: Codable, Sendable, Equatable {
    public var gatewayId: String
    public var userId: String
    public init(gatewayId: String, userId: String) {
        self.gatewayId = gatewayId
        self.userId = userId
    }
}

/// A user's new avatar; `avatarUrl` travels as the body `{avatarUrl}`.
public struct AvatarRecord: Codable, Sendable, Equatable {
    public var userId: String
    public var avatarUrl: String
    public init(userId: String, avatarUrl: String) {
        self.userId = userId
        self.avatarUrl = avatarUrl
    }
}

/// One entry of `/internal/revocations`: tokens of `userId` issued before `revokedAtMs` are void.
public struct RevocationEntry: Codable, Sendable, Equatable {
    public var userId: String
    public var revokedAtMs: Int64
    public init(userId: String, revokedAtMs: Int64) {
        self.userId = userId
        self.revokedAtMs = revokedAtMs
    }
}
