import AgentIMCore
import AsyncHTTPClient
import Logging

/// How one hub process calls another's internal routes (`InternalRoutes`): over HTTP to the
/// owner's listener in the distributed topology, directly into the owner's handler inside
/// the single-process hub. Callers see the same results and the same errors either way.
///
/// Errors: an answer `{ok:false, error, fields?}` with a 4xx status is that `APIError`
/// again, as the handler threw it; a callee that cannot be reached, answers 5xx, sends more
/// than `maxBytes` or an unreadable body is 502 `Bad gateway`; no answer within `timeout`
/// is 504 `Gateway timeout` (the edge's proxy answers the same).
public struct InternalClient: Sendable {
    /// The largest body of an internal call, request or answer (a catch-up page of messages is the largest).
    public static let maxBytes = 64 << 20
    /// How long a call over HTTP may take, connecting to the last byte, unless its route says less.
    public static let timeout: Duration = .seconds(10)

    let transport: any InternalTransport

    /// The process's connections to the other services when the caller brings none: a
    /// service that refuses connections fails the call at once (502) rather than being
    /// retried until the timeout; no redirects, no decompression. Lives as long as the process.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5))
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Calls the handlers of this process's services, without HTTP.
    public static func direct(_ handlers: InternalHandlers) -> InternalClient {
        InternalClient(transport: DirectTransport(handlers: handlers))
    }

    /// Calls each service at its base URL, e.g. `[.rooms: http://rooms:3002]`.
    public static func http(_ bases: [InternalService: ServiceURL], client: HTTPClient = InternalClient.sharedHTTPClient,
                            timeout: Duration = InternalClient.timeout, logger: Logger = Logger(label: "agentim.internal")) -> InternalClient {
        InternalClient(transport: HTTPTransport(bases: bases, client: client, timeout: timeout, logger: logger))
    }

    /// Calls the services at the base URLs the configuration names (`AUTH_URL`, `ROOMS_URL`, …);
    /// a call to a service without one fails with 500.
    public static func http(config: HubConfig, client: HTTPClient = InternalClient.sharedHTTPClient, logger: Logger = Logger(label: "agentim.internal")) -> InternalClient {
        let raw: [InternalService: String?] = [.auth: config.authURL, .rooms: config.roomsURL, .router: config.routerURL, .uploads: config.uploadsURL]
        return http(raw.compactMapValues { $0.flatMap(ServiceURL.init) }, client: client, logger: logger)
    }

    /// Calls `route` with `input` at its owner, or at `service` for a route every service answers.
    public func call<Input, Output>(_ route: InternalRoute<Input, Output>, _ input: Input, on service: InternalService? = nil) async throws -> Output {
        guard let target = service ?? route.owner else {
            preconditionFailure("\(route.name) is answered by every service: name the one to ask")
        }
        return try await transport.call(route, input, service: target)
    }

    /// Calls a route that takes no input.
    public func call<Output>(_ route: InternalRoute<InternalEmpty, Output>, on service: InternalService? = nil) async throws -> Output {
        try await call(route, InternalEmpty(), on: service)
    }
}

protocol InternalTransport: Sendable {
    func call<Input, Output>(_ route: InternalRoute<Input, Output>, _ input: Input, service: InternalService) async throws -> Output
}

/// In one process: the registered handler itself.
struct DirectTransport: InternalTransport {
    let handlers: InternalHandlers

    func call<Input, Output>(_ route: InternalRoute<Input, Output>, _ input: Input, service: InternalService) async throws -> Output {
        guard let handler = handlers.handler(for: route) else {
            throw APIError(500, "\(route.name) has no handler in this process")
        }
        return try await handler(input)
    }
}
