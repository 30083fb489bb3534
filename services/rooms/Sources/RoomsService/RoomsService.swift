import AgentIMBus
import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Rooms, members and messages (DESIGN: rooms owns rooms, room_members, messages). Serves
/// `/api/rooms/*` and `/api/messages/*`, and consumes the edges' commands from the bus.
public struct RoomsService: HubService {
    public let runtime: Runtime
    public let rooms: RoomStore
    let messages: MessageStore
    let tasks: TaskStore
    let events: RoomEvents
    let agents: AgentStore
    let agentEvents: AgentEvents
    let pushSubscriptions: PushSubscriptionStore
    var permissions: PermissionDesk { PermissionDesk(service: self) }
    var registrar: AgentRegistrar { AgentRegistrar(service: self) }

    public init(runtime: Runtime) throws {
        guard let database = runtime.database else { throw ConfigError("the rooms service needs DATABASE_URL") }
        self.runtime = runtime
        rooms = RoomStore(database: database)
        messages = MessageStore(database: database, commitDatabase: try MessageStore.commitDatabase(runtime), commitSession: try MessageStore.commitSession(runtime))
        tasks = TaskStore(database: database)
        events = RoomEvents(runtime: runtime, rooms: rooms)
        agents = AgentStore(database: database)
        agentEvents = AgentEvents(runtime: runtime)
        pushSubscriptions = PushSubscriptionStore(database: database)
    }

    public func addRoutes(to router: Router<HubRequestContext>) {
        let api = router.group().add(middleware: runtime.identityMiddleware())
        RoomsController(service: self).addRoutes(to: api.group("/api/rooms"))
        MessagesController(service: self).addRoutes(to: api.group("/api/messages"))
        TasksController(service: self).addRoutes(to: api.group("/api/tasks"))
        BookmarksController(service: self).addRoutes(to: api.group("/api/bookmarks"))
        AgentsController(service: self).addRoutes(to: api.group("/api/agents"))
        PushController(service: self, store: pushSubscriptions).addRoutes(to: api.group("/api/push"))
    }

    /// Calls only edges make (`InternalRoutes`, never on the public listener: they answer
    /// without a user's token): may a user join a room, what came after a sequence, and what
    /// the gateway sockets need to hear back.
    public var internalHandlers: InternalHandlers {
        var handlers = InternalHandlers()
        handlers.on(InternalRoutes.roomAccess) { try await accessInfo(userId: $0.userId, roomId: $0.roomId) }
        handlers.on(InternalRoutes.messagesAfter) { query in
            try await messagesAfter(roomId: query.roomId, seq: query.afterSeq, limit: min(max(query.limit, 1), 1000))
        }
        handlers.on(InternalRoutes.pendingPermissions) { try await permissions.pending(roomId: $0.roomId) }
        handlers.on(InternalRoutes.gatewayConnected) { try await registrar.connect($0) }
        handlers.on(InternalRoutes.gatewayOnline) { try await gatewayOnline(gatewayId: $0.gatewayId, userId: $0.userId) }
        handlers.on(InternalRoutes.registerAgent) { try await registrar.register($0) }
        handlers.on(InternalRoutes.placement) { try await placement(agentId: $0.agentId) }
        return handlers
    }

    func placement(agentId: String) async throws -> AgentPlacement? {
        guard let agent = try await agents.find(agentId) else { return nil }
        return AgentPlacement(name: agent.name, roomIds: try await agents.rooms(of: agentId), status: agent.status)
    }

    func gatewayOnline(gatewayId: String, userId: String) async throws -> Bool {
        try await agents.isGatewayOnline(gatewayId, userId: userId)
    }

    /// A single-process hub that restarts has no gateway sockets left: every agent is
    /// offline and every gateway disconnected (data-config-security §2.6 step 5). Not for
    /// the distributed topology, where other edges still hold theirs.
    public func resetAgentsAfterRestart() async throws {
        try await agents.resetAfterRestart()
    }

    /// Background work of a rooms process: the bus consumer, the permission timers, the sweeps,
    /// and the search index's upkeep.
    /// The group commit's pool comes before the worker that uses it (and so stops after it).
    public var backgroundServices: [any Service] { [messages.commitDatabase.service, messages.commitSession.service, commandWorker, PermissionDesk.Timer(desk: permissions), GatewayCleanup(service: self), PushSender(service: self),
                                                  SearchIndexUpkeep.Loop(upkeep: messages.searchIndex, database: messages.database, logger: runtime.logger)] }

    /// Web Push reads the VAPID settings (kept current by `settingsChanged` control events).
    public func prepare() async throws {
        try await runtime.settings.reload()
    }

    /// The bus consumer for commands from the edges; one per rooms process, sharing the work.
    public var commandWorker: some Service {
        let handler = CommandHandler(service: self)
        return CommandWorker(bus: runtime.bus, stream: BusStream.roomsCommands, group: BusGroup.rooms,
                             consumer: runtime.nodeId, retryAfter: .milliseconds(runtime.config.busReclaimIdleMs),
                             logger: runtime.logger, decode: CommandHandler.decode, partition: CommandHandler.room(of:),
                             lanes: { items in await handler.handleLane(items) }) { entry in
            try await handler.handle(entry)
        }.reportingFailures(to: runtime.errors.commandFailed)
    }

    func accessInfo(userId: String, roomId: String) async throws -> RoomAccessInfo {
        let info = try await rooms.accessInfo(userId: userId, roomId: roomId)
        return RoomAccessInfo(access: info.access.rawValue, lastSeq: info.lastSeq)
    }

    func messagesAfter(roomId: String, seq: Int64, limit: Int) async throws -> [ChatMessage] {
        try await messages.after(roomId: roomId, seq: seq, limit: limit)
    }

    /// Router access check of http-api §6 (404 `Router not found`, 403 `Router not accessible`).
    /// Routers live in the router service's table (every service's migrations create it).
    func checkRouter(_ routerId: String, caller: Caller) async throws {
        guard try await rooms.routerExists(routerId) else {
            throw APIError(404, "Router not found")
        }
    }

    /// An agent may join a room when it exists and is the caller's or visible to the caller (http-api §6.7).
    func checkAgentForMembership(_ agentId: String, caller: Caller) async throws {
        guard let agent = try await agents.find(agentId),
              agent.userId == caller.id || agent.visibility == "all" || (agent.visibility == "whitelist" && agent.visibilityList.contains(caller.id)) else {
            throw APIError(404, "Agent not found")
        }
    }
}
