import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The edge of the distributed topology: services reached over internal HTTP.
public struct RemoteTopology: Sendable {
    public let upstreams: UpstreamTable
    public let client: HTTPClient
    /// The services' internal routes, over `client`.
    public let calls: InternalClient

    public init(config: HubConfig) throws {
        upstreams = try UpstreamTable(config: config)
        var configuration = HTTPClient.Configuration()
        // Like nginx's `keepalive 64` upstream block: pooled keep-alive connections per service.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // A service that refuses connections fails the requests waiting for it at once (502),
        // instead of retrying until they time out.
        configuration.connectionPool.retryConnectionEstablishment = false
        // The upstream timeout is nginx's proxy_read_timeout: the longest silence while waiting.
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(Int64(config.upstreamTimeoutSeconds)))
        configuration.decompression = .disabled
        configuration.tracing.tracer = nil  // no spans per proxied request (the hub has no tracing)
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        calls = .http(upstreams.urls.reduce(into: [:]) { bases, entry in
            if let service = InternalService(rawValue: entry.key.rawValue) { bases[service] = entry.value }
        }, client: client)
    }

    /// The reverse proxy to the services; `secure` when the edge terminates TLS.
    public func proxy(config: HubConfig, secure: Bool) -> some RouterMiddleware<HubRequestContext> {
        ReverseProxyMiddleware(upstreams: upstreams, client: client, trustProxy: config.trustProxy, scheme: secure ? "https" : "http")
    }

    public var rooms: RoomsDirectory { RoomsDirectory(calls) }

    public var agents: AgentsDirectory { AgentsDirectory(calls) }

    /// Every service's `/internal/health`, with the checks each one owns.
    public var healthProbes: [@Sendable () async -> [String: Bool]] {
        InternalService.allCases.map { service in
            HealthAggregator.remote(service, owns: service == .uploads ? ["database", "filesystem"] : ["database"], calls: calls)
        }
    }

    /// Loads the auth service's revocations before the edge serves; retries while auth starts.
    public func loadRevocations(into runtime: Runtime, attempts: Int = 30) async throws {
        for attempt in 1...attempts {
            do {
                let entries = try await calls.call(InternalRoutes.revocations)
                await runtime.revocations.load(entries.map { ($0.userId, $0.revokedAtMs) })
                return
            } catch {
                if attempt == attempts {
                    throw ConfigError("cannot load token revocations from \(upstreams.urls[.auth]!.base)\(InternalRoutes.revocations.path): \(error)")
                }
                try await LoopSleep.for(.seconds(1))
            }
        }
    }

    /// The runtime settings an admin stored, from the auth service (the edge has no database):
    /// now, and again after every change event (`ControlFollower` reloads them). Auth has just
    /// answered for the revocations; should this call still fail, the edge starts on the
    /// environment's values and takes the stored ones at the next change.
    public func loadSettings(into runtime: Runtime) async {
        let calls = self.calls
        runtime.settings.loadRemotely { try await calls.call(InternalRoutes.settings) }
        do {
            try await runtime.settings.reload()
        } catch {
            runtime.logger.warning("cannot load the runtime settings from auth (\(error)); using the environment's until the next change")
        }
    }

    /// Shuts the HTTP client down with the process.
    public var service: some Service { ClientShutdown(client: client) }

    struct ClientShutdown: Service {
        let client: HTTPClient
        func run() async throws {
            try? await gracefulShutdown()
            try await client.shutdown()
        }
    }
}
