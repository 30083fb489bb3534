import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import AuthService
import EdgeService
import Hummingbird
import RoomsService
import RouterService
import ServiceLifecycle
import UploadsService

/// `agentim-server`: the edge with every service mounted in-process, built by the same
/// initialisers the services' own processes use. Without REDIS_URL the bus is in memory;
/// with it, this process joins a distributed topology.
public struct SingleProcessHub: HubService {
    public let runtime: Runtime
    public let auth: AuthService
    public let rooms: RoomsService
    public let router: RouterService
    public let uploads: UploadsService
    public let edge: Edge

    public init(runtime: Runtime) throws {
        self.runtime = runtime
        auth = try AuthService(runtime: runtime)
        rooms = try RoomsService(runtime: runtime)
        // Internal calls go straight to the owning service's handler in this process.
        let calls = InternalClient.direct(auth.internalHandlers + rooms.internalHandlers)
        uploads = try UploadsService(runtime: runtime, calls: calls)
        router = try RouterService(runtime: runtime, calls: .direct(uploads.internalHandlers))
        let uploads = self.uploads
        let hub = ClientHub(runtime: runtime, rooms: RoomsDirectory(calls), agents: AgentsDirectory(calls))
        edge = try Edge(hub: hub, health: Edge.healthAggregator(probes: [{ await uploads.healthChecks() }]), calls: calls)
    }

    public static func checkEnvironment(_ config: HubConfig) throws {
        try RouterService.checkEnvironment(config)
    }

    /// The services behind the edge, in the order their routes are mounted.
    var services: [any HubService] { [auth, rooms, router, uploads] }

    /// Every service's public routes, then the edge's own; internal routes stay unmounted:
    /// nothing inside this process needs them, and the public listener must not offer them.
    public func addRoutes(to router: Router<HubRequestContext>) {
        for service in services { service.addRoutes(to: router) }
        edge.addRoutes(to: router)
    }

    public var backgroundServices: [any Service] {
        edge.backgroundServices + rooms.backgroundServices + router.backgroundServices + auth.backgroundServices + uploads.backgroundServices
    }

    /// Each service's start-up work; then, alone with the in-memory bus, no gateway socket
    /// survived the restart (`RoomsService.resetAgentsAfterRestart`).
    public func prepare() async throws {
        for service in services { try await service.prepare() }
        if runtime.config.redisURL == nil { try await rooms.resetAgentsAfterRestart() }
    }

    public func healthChecks() async -> [String: Bool] { await uploads.healthChecks() }

    /// The edge's middleware and listener in front of every service's routes.
    public func makeApp() -> HubApp {
        let router = Router(context: HubRequestContext.self)
        edge.addMiddleware(to: router)
        addRoutes(to: router)
        let runtime = self.runtime
        return HubApp(runtime: runtime, router: router, services: backgroundServices, server: edge.server()) {
            try await runtime.prepareDatabase()
            try await prepare()
        }
    }
}
