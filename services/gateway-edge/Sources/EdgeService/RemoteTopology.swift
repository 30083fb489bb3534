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
    }

    /// The reverse proxy to the services; `secure` when the edge terminates TLS.
    public func proxy(config: HubConfig, secure: Bool) -> some RouterMiddleware<HubRequestContext> {
        ReverseProxyMiddleware(upstreams: upstreams, client: client, trustProxy: config.trustProxy, scheme: secure ? "https" : "http")
    }

    public var rooms: RoomsDirectory {
        RoomsDirectory.remote(upstreams.urls[.rooms]!, client: client)
    }

    public var agents: AgentsDirectory {
        AgentsDirectory.remote(upstreams.urls[.rooms]!, client: client)
    }

    /// A user's site role, asked of the auth service (nil: no such user).
    public var roleOf: @Sendable (_ userId: String) async throws -> String? {
        let calls = InternalCalls(base: upstreams.urls[.auth]!, client: client)
        return { userId in try await calls.get("/internal/users/\(InternalCalls.escape(userId))/role", as: String.self) }
    }

    /// Every service's `/internal/health`, with the checks each one owns.
    public var healthProbes: [@Sendable () async -> [String: Bool]] {
        UpstreamTable.Service.allCases.map { service in
            let owns = service == .uploads ? ["database", "filesystem"] : ["database"]
            return HealthAggregator.remote(upstreams.urls[service]!.base, owns: owns, client: client)
        }
    }

    /// Loads the auth service's revocations before the edge serves; retries while auth starts.
    public func loadRevocations(into runtime: Runtime, attempts: Int = 30) async throws {
        let url = upstreams.urls[.auth]!.base + "/internal/revocations"
        for attempt in 1...attempts {
            do {
                let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 16 << 20)
                guard response.status == .ok else { throw APIError(502, "auth answered \(response.status.code)") }
                let entries = try JSONDecoder().decode(RevocationList.self, from: Data(buffer: body)).data
                await runtime.revocations.load(entries.map { ($0.userId, $0.revokedAtMs) })
                return
            } catch {
                if attempt == attempts { throw ConfigError("cannot load token revocations from \(url): \(error)") }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    struct RevocationList: Decodable {
        struct Entry: Decodable { var userId: String; var revokedAtMs: Int64 }
        var data: [Entry]
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
