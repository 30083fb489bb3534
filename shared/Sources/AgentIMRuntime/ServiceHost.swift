import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Runs one process: an HTTP application on HOST/PORT with the given router, plus the
/// runtime's background services, under one service group with graceful shutdown.
public enum ServiceHost {
    /// Reads configuration, sets up telemetry; on a bad value prints one line and exits 1.
    public static func loadConfig(role: String, defaultPort: Int) -> HubConfig {
        do {
            let config = try HubConfig(environment: .process, role: role, defaultPort: defaultPort)
            let tracing = try TracingBootstrap.plan(role: role, environment: .process)
            Telemetry.bootstrap(logLevel: config.logLevel)
            if let tracing { TracingBootstrap.exporter = try TracingBootstrap.start(tracing) }
            return config
        } catch {
            fail(error)
        }
    }

    public static func fail(_ error: any Error) -> Never {
        let line = (error as? ConfigError)?.message ?? "\(error)"
        FileHandle.standardError.write(Data("agentim: fatal: \(line)\n".utf8))
        exit(1)
    }

    /// Routes every service process exposes for the platform: readiness, liveness, metrics.
    /// `metrics` renders `/metrics` (by default the registry as it stands).
    public static func addInternalRoutes(to router: Router<HubRequestContext>, health: @escaping @Sendable () async -> [String: Bool],
                                         metrics: @escaping @Sendable () async -> String = { Telemetry.exposition() }) {
        var handlers = InternalHandlers()
        handlers.on(InternalRoutes.health) { _ in HealthReport(checks: await health()) }
        handlers.on(InternalRoutes.live) { $0 }
        handlers.mount(on: router)
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: await metrics())))
        }
    }

    /// Connections the kernel may hold waiting for accept (capped by net.core.somaxconn). The
    /// framework's 256 drops the SYNs of a burst beyond it (thousands of sockets reconnecting
    /// after a restart), and each dropped one waits a second for its retry.
    static let listenBacklog = 4096

    /// A whole process: configuration (one line and exit 1 when refused), the runtime, the
    /// service `build` makes of it, served until SIGTERM/SIGINT. Every `main` is this call.
    public static func main<S: HubService>(role: String, defaultPort: Int, build: (Runtime) async throws -> S) async {
        runTasksOnEventLoops()
        let config = loadConfig(role: role, defaultPort: defaultPort)
        var started: Runtime?
        do {
            try S.checkEnvironment(config)
            let runtime = try await Runtime(config: config, usesDatabase: S.usesDatabase, logger: Logger(label: "agentim.\(role)"))
            started = runtime
            try await run(build(runtime).makeApp())
        } catch {
            // A process that dies of an error tells Sentry first (bounded: it is exiting).
            await started?.errors.sendNow(ErrorReporter.Report(message: "agentim-\(role) exits: \(error)", errorType: String(describing: type(of: error))))
            fail(error)
        }
    }

    /// Swift's tasks run on the event loops that do the I/O (NIO's singleton group, which the
    /// HTTP server, PostgreSQL and the HTTP clients share), not on Dispatch's own pool: a message
    /// crosses a dozen tasks between its frame and its deliveries, and each crossing between
    /// the two pools was a thread wake-up. Measured on bench/fanout.py's small shape: the hub's
    /// CPU per message −10–15%. Nothing the services run blocks (blocking work goes to
    /// `NIOThreadPool`). Where the runtime offers no hook, tasks stay on Dispatch's pool.
    static func runTasksOnEventLoops() {
        if !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
            Logger(label: "agentim").notice("Swift tasks run on Dispatch's pool: this runtime offers no hook to run them on the event loops")
        }
    }

    /// From SIGTERM/SIGINT to exit, whatever the shutdown waits on.
    static let exitDeadline: Duration = .milliseconds(9_500)

    public static func run(_ app: HubApp) async throws {
        // SIGTERM/SIGINT: stop accepting, let in-flight requests finish and sockets say goodbye,
        // for at most 8 s (data-config-security §8: within 10 s); then whatever is left is
        // cancelled. Should even that hang, the watchdog names what did not finish and exits 1
        // before 10 s have passed.
        let watchdog = ShutdownWatchdog(timeout: exitDeadline, logger: app.runtime.logger)
        let server = TrackedService(app.application(exitOnFailure: true, parts: watchdog.parts), parts: watchdog.parts, name: "HTTP server")
        // The span exporter comes first, so it stops last and sends the shutdown's spans.
        let exporter = TracingBootstrap.exporter.map { [TrackedService($0, parts: watchdog.parts, name: "OTLP span exporter")] as [any Service] } ?? []
        // NODE_ENV=test only: a part whose shutdown never ends, so a test can prove that every
        // executable still exits within 10 s, naming it, with a non-zero code.
        let stalled: [any Service] = app.runtime.config.isTest && ProcessInfo.processInfo.environment["AGENTIM_TEST_STALL_SHUTDOWN"] == "1"
            ? [TrackedService(StalledPart(), parts: watchdog.parts, name: StalledPart.name)] : []
        var group = ServiceGroupConfiguration(services: exporter + stalled + [server, ShutdownWatchdogService(watchdog: watchdog)],
                                              gracefulShutdownSignals: [.sigterm, .sigint], logger: app.runtime.logger)
        group.maximumGracefulShutdownDuration = .seconds(8)
        try await ServiceGroup(configuration: group).run()
        await watchdog.parts.track("runtime shutdown") { await app.runtime.shutdown() }
    }
}
