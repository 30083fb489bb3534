import AgentIMBus
import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import AgentIMRuntime
import Foundation
import Hummingbird
import ServiceLifecycle

/// LLM routing of broadcast-mode messages, router configurations and service agents
/// (DESIGN: router owns routers, service_agents, routing_decisions). Serves `/api/routers/*`
/// and `/api/service-agents/*`, and consumes rooms' routing and service-agent commands.
public struct RouterService: HubService {
    public let runtime: Runtime
    let config: RouterConfig
    let routers: RouterStore
    let serviceAgents: ServiceAgentStore
    let decisions: RoutingDecisionStore
    let http: OutboundHTTP
    let urlGuard: LLMURLGuard
    let breaker: CircuitBreaker
    /// Reaches the uploads service (service agents' media): in this process, or at `UPLOADS_URL`.
    let calls: InternalClient
    /// Service-agent calls in flight, outside the command worker (they may poll for minutes).
    let jobs: ServiceAgentJobs

    /// The router's own settings come from the environment (`RouterConfig`).
    public init(runtime: Runtime, calls: InternalClient? = nil) throws {
        try self.init(runtime: runtime, config: RouterConfig(environment: .process, production: runtime.config.isProduction), calls: calls)
    }

    /// Refuses `ROUTER_ALLOW_PRIVATE_URLS=true` in production before the process connects anywhere.
    public static func checkEnvironment(_ config: HubConfig) throws {
        _ = try RouterConfig(environment: .process, production: config.isProduction)
    }

    /// `calls` defaults to the services at the configured URLs (the distributed topology).
    public init(runtime: Runtime, config: RouterConfig, calls: InternalClient? = nil) throws {
        guard let database = runtime.database else { throw ConfigError("the router service needs DATABASE_URL") }
        self.runtime = runtime
        self.config = config
        routers = RouterStore(database: database)
        serviceAgents = ServiceAgentStore(database: database)
        decisions = RoutingDecisionStore(database: database)
        http = OutboundHTTP()
        urlGuard = LLMURLGuard(allowPrivate: config.allowPrivateURLs)
        breaker = CircuitBreaker(openFor: .milliseconds(config.breakerOpenMs))
        self.calls = calls ?? .http(config: runtime.config, logger: runtime.logger)
        jobs = ServiceAgentJobs()
    }

    public func addRoutes(to router: Router<HubRequestContext>) {
        let routers = self.routers
        let api = router.group().add(middleware: runtime.identityMiddleware(roleOf: { try await routers.role(of: $0) }))
        RoutersController(service: self).addRoutes(to: api.group("/api/routers"))
        ServiceAgentsController(service: self).addRoutes(to: api.group("/api/service-agents"))
    }

    /// The bus consumer of `agentim:cmd:router` (group `router`); every router process runs
    /// one and they share the work. A room's requests are decided in order.
    public var commandWorker: some Service {
        let handler = RouterCommandHandler(service: self)
        return CommandWorker(bus: runtime.bus, stream: BusStream.routerCommands, group: BusGroup.router,
                             consumer: runtime.nodeId, retryAfter: .milliseconds(runtime.config.busReclaimIdleMs),
                             logger: runtime.logger, partition: RouterCommandHandler.lane(of:)) { entry in
            try await handler.handle(entry)
        }.reportingFailures(to: runtime.errors.commandFailed)
    }

    /// Everything long-lived this service adds to its process.
    public var backgroundServices: [any Service] {
        [commandWorker, http.shutdownService, RoutingDecisionJanitor(database: decisions.database)]
    }

    /// Start-up work: routing reads runtime settings (`router.llm.*`).
    public func prepare() async throws {
        try await runtime.settings.reload()
    }

    func audit(_ context: HubRequestContext, caller: String, action: String, target: String,
               metadata: [String: JSONValue]? = nil) async {
        await runtime.audit(AuditEntry(userId: caller, action: action, targetId: target, targetType: "router",
                                       metadata: metadata, ipAddress: context.clientAddress))
    }
}
