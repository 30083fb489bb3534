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

    public init(runtime: Runtime) throws {
        guard let database = runtime.database else { throw ConfigError("the rooms service needs DATABASE_URL") }
        self.runtime = runtime
        rooms = RoomStore(database: database)
        messages = MessageStore(database: database)
    }

    public func addRoutes(to router: Router<HubRequestContext>) {
        RoomsController(service: self).addRoutes(to: router.group("/api/rooms"))
        MessagesController(service: self).addRoutes(to: router.group("/api/messages"))
        router.get("/internal/rooms/:roomId/access/:userId") { _, context -> Response in
            let roomId = try context.parameters.require("roomId")
            let userId = try context.parameters.require("userId")
            return ok(try await rooms.access(userId: userId, roomId: roomId))
        }
    }

    /// The bus consumer for commands from the edges; one per rooms process, sharing the work.
    public var commandWorker: some Service {
        let handler = CommandHandler(service: self)
        return CommandWorker(bus: runtime.bus, stream: BusStream.roomsCommands, group: "rooms",
                             consumer: runtime.nodeId, logger: runtime.logger) { entry in
            try await handler.handle(entry)
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
