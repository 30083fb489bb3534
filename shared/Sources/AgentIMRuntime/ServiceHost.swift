import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Runs one process: an HTTP application on HOST/PORT with the given router, plus the
/// runtime's background services, under one service group with graceful shutdown.
public enum ServiceHost {
    /// Reads configuration, sets up telemetry; on a bad value prints one line and exits 1.
    public static func loadConfig(role: String, defaultPort: Int) -> HubConfig {
        do {
            let config = try HubConfig(environment: .process, role: role, defaultPort: defaultPort)
            Telemetry.bootstrap(logLevel: config.logLevel)
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
    public static func addInternalRoutes(to router: Router<HubRequestContext>, health: @escaping @Sendable () async -> [String: Bool]) {
        var handlers = InternalHandlers()
        handlers.on(InternalRoutes.health) { _ in HealthReport(checks: await health()) }
        handlers.on(InternalRoutes.live) { $0 }
        handlers.mount(on: router)
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: Telemetry.exposition())))
        }
    }

    /// Connections the kernel may hold waiting for accept (capped by net.core.somaxconn). The
    /// framework's 256 drops the SYNs of a burst beyond it (thousands of sockets reconnecting
    /// after a restart), and each dropped one waits a second for its retry.
    static let listenBacklog = 4096

    public static func run<R: HTTPResponderBuilder>(
        _ responder: R, runtime: Runtime, services: [any Service] = [],
        server: HTTPServerBuilder = .http1(),
        prepare: @escaping @Sendable () async throws -> Void = {}
    ) async throws where R.Responder.Context == HubRequestContext {
        let config = runtime.config
        let logger = runtime.logger
        var app = Application(
            router: responder,
            server: server,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil, backlog: listenBacklog),
            services: runtime.backgroundServices + services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.port
                FileHandle.standardOutput.write(Data("agentim-\(config.processRole) listening on http://\(config.host):\(port)\n".utf8))
            },
            logger: logger
        )
        // Runs once the background services (the database pool) are up, before the port opens:
        // a process never answers before its schema and revocations are in place.
        app.beforeServerStarts {
            do {
                try await prepare()
            } catch {
                fail(error)
            }
        }
        // SIGTERM/SIGINT: stop accepting, let in-flight requests finish and sockets say goodbye,
        // for at most 10 s (data-config-security §8); then whatever is left is cancelled.
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
        await runtime.shutdown()
    }
}
