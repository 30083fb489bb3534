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
public struct RoomsService: Sendable {
    let runtime: Runtime
    public let rooms: RoomStore
    let messages: MessageStore
    let tasks: TaskStore
    let events: RoomEvents

    public init(runtime: Runtime) throws {
        guard let database = runtime.database else { throw ConfigError("the rooms service needs DATABASE_URL") }
        self.runtime = runtime
        rooms = RoomStore(database: database)
        messages = MessageStore(database: database)
        tasks = TaskStore(database: database)
        events = RoomEvents(runtime: runtime, rooms: rooms)
    }

    public func addRoutes(to router: Router<HubRequestContext>) {
        RoomsController(service: self).addRoutes(to: router.group("/api/rooms"))
        MessagesController(service: self).addRoutes(to: router.group("/api/messages"))
        TasksController(service: self).addRoutes(to: router.group("/api/tasks"))
        BookmarksController(service: self).addRoutes(to: router.group("/api/bookmarks"))
    }

    /// Routes only edges call (never mounted on the public listener: they answer without a
    /// user's token): may a user join a room, and what came after a sequence.
    public func addInternalRoutes(to router: Router<HubRequestContext>) {
        router.get("/internal/rooms/:roomId/access/:userId") { _, context -> Response in
            let info = try await accessInfo(userId: try context.parameters.require("userId"), roomId: try context.parameters.require("roomId"))
            return ok(info)
        }
        router.get("/internal/rooms/:roomId/messages") { request, context -> Response in
            let afterSeq = request.uri.queryParameters.get("afterSeq").flatMap { Int64($0) } ?? 0
            let limit = min(max(request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 500, 1), 1000)
            return jsonResponse(Envelope(try await messagesAfter(roomId: try context.parameters.require("roomId"), seq: afterSeq, limit: limit)), rest: false)
        }
    }

    /// The bus consumer for commands from the edges; one per rooms process, sharing the work.
    public var commandWorker: some Service {
        let handler = CommandHandler(service: self)
        return CommandWorker(bus: runtime.bus, stream: BusStream.roomsCommands, group: "rooms",
                             consumer: runtime.nodeId, retryAfter: .milliseconds(runtime.config.busReclaimIdleMs),
                             logger: runtime.logger, partition: CommandHandler.room(of:)) { entry in
            try await handler.handle(entry)
        }
    }

    public func accessInfo(userId: String, roomId: String) async throws -> RoomAccessInfo {
        let info = try await rooms.accessInfo(userId: userId, roomId: roomId)
        return RoomAccessInfo(access: info.access.rawValue, lastSeq: info.lastSeq)
    }

    public func messagesAfter(roomId: String, seq: Int64, limit: Int) async throws -> [ChatMessage] {
        try await messages.after(roomId: roomId, seq: seq, limit: limit)
    }

    /// Router access check of http-api §6 (404 `Router not found`, 403 `Router not accessible`).
    /// Routers live in the router service's table; until it exists no router can be referenced.
    func checkRouter(_ routerId: String, caller: AuthenticatedCaller) async throws {
        guard try await rooms.tableExists("routers"), try await rooms.routerExists(routerId) else {
            throw APIError(404, "Router not found")
        }
    }

    /// An agent may join a room when it exists and its owner is the caller or shares it (http-api §6.7).
    func checkAgentForMembership(_ agentId: String, caller: AuthenticatedCaller) async throws {
        guard try await rooms.tableExists("agents"), try await rooms.agentExists(agentId) else {
            throw APIError(404, "Agent not found")
        }
    }

    func authenticate(_ request: Request) async throws -> AuthenticatedCaller {
        let user = try await runtime.tokens.verifyBearer(request.headers[.authorization])
        return AuthenticatedCaller(id: user.id, username: user.username)
    }
}

struct AuthenticatedCaller: Sendable {
    var id: String
    var username: String
}
