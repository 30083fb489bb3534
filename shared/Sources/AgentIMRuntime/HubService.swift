import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird
import HummingbirdCore
import ServiceLifecycle

/// The one shape of every hub service (auth, rooms, router, uploads, the edge and the
/// single-process hub that composes them): built from a `Runtime` by its initialiser, which
/// both its `main` and the tests call, then asked for the same four things.
public protocol HubService: Sendable {
    /// Refusals of the service's own environment, checked right after the shared
    /// configuration and before the runtime connects anywhere (one line, exit 1).
    static func checkEnvironment(_ config: HubConfig) throws
    /// Whether the service's process opens the database (the distributed edge does not).
    static var usesDatabase: Bool { get }
    /// The runtime the service was built on: its process's configuration, database and bus.
    var runtime: Runtime { get }
    /// Public routes (`/api/...`): mounted on the service's own process, or behind the
    /// single-process hub's edge.
    func addRoutes(to router: Router<HubRequestContext>)
    /// Its side of the calls other hub processes make (`InternalRoutes`): mounted on its own
    /// process's listener, never a public one; called directly inside the single-process hub.
    var internalHandlers: InternalHandlers { get }
    /// Long-lived work that runs in the process's service group (consumers, timers, sweeps).
    var backgroundServices: [any Service] { get }
    /// Start-up work once the background services (the database pool) run and the schema
    /// and revocations are in place, before the port opens.
    func prepare() async throws
    /// This process's readiness checks for `/internal/health` (the runtime's by default).
    func healthChecks() async -> [String: Bool]
    /// What this service serves as a process of its own (`HubApp.init(backend:)` unless it
    /// is a public listener).
    func makeApp() -> HubApp
}

extension HubService {
    public static func checkEnvironment(_ config: HubConfig) throws {}
    public static var usesDatabase: Bool { true }
    public func addRoutes(to router: Router<HubRequestContext>) {}
    public var internalHandlers: InternalHandlers { InternalHandlers() }
    public var backgroundServices: [any Service] { [] }
    public func prepare() async throws {}
    public func healthChecks() async -> [String: Bool] { await runtime.healthChecks() }
    public func makeApp() -> HubApp { HubApp(backend: self) }
}

/// What one process serves: a router, long-lived services, the listener's transport and the
/// start-up work before the port opens. `ServiceHost.run` runs it as a process; tests run
/// `application()` in-process (Hummingbird's testing support).
public struct HubApp {
    public let runtime: Runtime
    public let router: Router<HubRequestContext>
    /// Run after the runtime's own background services (the database pool, control events).
    public var services: [any Service]
    public var server: HTTPServerBuilder
    public var prepare: @Sendable () async throws -> Void

    public init(runtime: Runtime, router: Router<HubRequestContext>, services: [any Service],
                server: HTTPServerBuilder = .http1(), prepare: @escaping @Sendable () async throws -> Void) {
        self.runtime = runtime
        self.router = router
        self.services = services
        self.server = server
        self.prepare = prepare
    }

    /// A service behind the edge, in a process of its own: error envelopes, its public and
    /// internal routes plus the platform's (health, liveness, metrics), and its start-up work
    /// after the schema and the revocations.
    public init(backend service: some HubService) {
        let runtime = service.runtime
        let router = Router(context: HubRequestContext.self)
        // A server span continuing the caller's W3C trace context, only when tracing is on.
        if Traces.isEnabled { router.middlewares.add(TracingMiddleware()) }
        // The service's own request durations (its bus backlog and pool use are refreshed by `/metrics`).
        router.middlewares.add(RequestDurationMiddleware(durations: RequestDurations()))
        router.middlewares.add(ErrorEnvelopeMiddleware(production: runtime.config.isProduction))
        router.middlewares.add(ErrorReportingMiddleware(reporter: runtime.errors))
        service.addRoutes(to: router)
        service.internalHandlers.mount(on: router)
        ServiceHost.addInternalRoutes(to: router, health: { await service.healthChecks() }, metrics: { await RuntimeMetrics.exposition(runtime) })
        self.init(runtime: runtime, router: router, services: service.backgroundServices) {
            try await runtime.prepareDatabase()
            try await service.prepare()
        }
    }

    /// The Hummingbird application of this process on HOST/PORT. `exitOnFailure` (processes)
    /// turns a failed start-up into the one-line fatal exit; tests get the error thrown.
    /// `parts` (processes) records which background services are still running, for the shutdown watchdog.
    public func application(exitOnFailure: Bool = false, parts: RunningParts? = nil) -> Application<RouterResponder<HubRequestContext>> {
        let config = runtime.config
        var app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil, backlog: ServiceHost.listenBacklog),
            services: (runtime.backgroundServices + services.map { AfterSchema(base: $0, gate: runtime.schemaReady) }).map { service in parts.map { TrackedService(service, parts: $0) } ?? service },
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.port
                FileHandle.standardOutput.write(Data("agentim-\(config.processRole) listening on http://\(config.host):\(port)\n".utf8))
            },
            logger: runtime.logger
        )
        // Runs once the background services (the database pool) are up, before the port opens:
        // a process never answers before its schema and revocations are in place.
        let prepare = self.prepare
        app.beforeServerStarts {
            guard exitOnFailure else { return try await prepare() }
            do {
                try await prepare()
            } catch {
                ServiceHost.fail(error)
            }
        }
        return app
    }
}

extension Runtime {
    /// The schema (unless `RUN_MIGRATIONS=false`) and the revocations from the database,
    /// before a process that owns tables serves; nothing for one without a database.
    public func prepareDatabase() async throws {
        try await migrateIfEnabled()
        try await loadRevocationsFromDatabase()
        try await settings.reload()
        await schemaReady.open()
    }
}
