import AgentIMCore
import HTTPTypes

/// A hub service that owns internal routes, with the base-URL setting the distributed
/// processes read for it (`AUTH_URL`, `ROOMS_URL`, `ROUTER_URL`, `UPLOADS_URL`).
public enum InternalService: String, Sendable, CaseIterable {
    case auth, rooms, router, uploads

    /// The environment variable that holds the service's base URL.
    public var urlSetting: String { rawValue.uppercased() + "_URL" }
}

/// One internal call, declared once (`InternalRoutes`): the owning service mounts a handler
/// for it (`InternalHandlers`), callers use `InternalClient`. On the wire it is `method path`,
/// where each `:name` segment is the input's field `name`; the input's other fields travel
/// as the query (GET) or as the JSON body (POST, PUT).
public struct InternalRoute<Input: Codable & Sendable, Output: Codable & Sendable>: Sendable {
    /// How the answer is written. `envelope`: `{ok:true, data}` (200), or `{ok:true}` for an
    /// `InternalEmpty` output. `bare`: the output itself, with the status it picks (health).
    public enum Answer: Sendable {
        case envelope
        case bare(status: @Sendable (Output) -> HTTPResponse.Status)
    }

    /// The service that mounts the route; nil when every service does (health, liveness)
    /// and the caller names the one it asks.
    public let owner: InternalService?
    public let method: HTTPRequest.Method
    /// A Hummingbird path pattern, e.g. `/internal/rooms/:roomId/access/:userId`.
    public let path: String
    public let answer: Answer
    /// A tighter deadline than the client's, for a caller that must answer fast whatever the callee does.
    public let timeout: Duration?

    public init(_ method: HTTPRequest.Method, _ path: String, owner: InternalService?, answer: Answer = .envelope, timeout: Duration? = nil) {
        self.owner = owner
        self.method = method
        self.path = path
        self.answer = answer
        self.timeout = timeout
    }

    /// The names of the path's `:name` segments, in order.
    var pathParameters: [String] {
        path.split(separator: "/").compactMap { $0.hasPrefix(":") ? String($0.dropFirst()) : nil }
    }

    /// Whether the input's remaining fields travel as a JSON body rather than the query.
    var hasBody: Bool { method == .post || method == .put || method == .patch }

    /// `GET /internal/...`, for logs.
    public var name: String { "\(method) \(path)" }
}

/// The input of a call that takes none, and the output of one that answers `{ok:true}` alone.
public struct InternalEmpty: Codable, Sendable, Equatable {
    public init() {}
}
