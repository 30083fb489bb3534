import AgentIMCore
import AgentIMHTTP
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The two WebSocket endpoints (websocket §2.1).
enum SocketEndpoint: String, Sendable {
    case client = "/ws/client"
    case gateway = "/ws/gateway"

    init?(uri: String) {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        self.init(rawValue: path)
    }

    /// The transport's hard cap on one message, both endpoints. The protocol's own limits
    /// (65,536 for a client, up to 1,048,576 when configured; 1,248,576 for a gateway, in
    /// UTF-16 units, so at most 3 bytes each in UTF-8) answer with `server:error` and keep the
    /// socket (§3.2); a message beyond this cap is not read at all: close 1009.
    static let messageCap = 4 << 20
}

/// A refused upgrade, answered as an ordinary HTTP response.
struct UpgradeRefusal: Sendable {
    var status: HTTPResponse.Status
    var error: String
    var headers: [(HTTPField.Name, String)] = []
}

/// Decides each WebSocket upgrade (websocket §2.1): the shared `ws_upgrade` rate limit per
/// client IP, then the Origin check on `/ws/client`. The original checks no Origin; the
/// spec allows one that accepts the configured CORS origins, the page's own origin and no
/// Origin at all, and never checks `/ws/gateway` (the CLI is not a browser). A browser page
/// elsewhere is refused with 403 `Origin not allowed`.
struct UpgradeGate: Sendable {
    enum Decision: Sendable {
        case upgrade(SocketEndpoint, headers: [(HTTPField.Name, String)])
        case refuse(UpgradeRefusal)
    }

    let limiter: RateLimiter?
    /// The CORS origins: the admin's `cors.origin` when stored (live), else `CORS_ORIGIN`.
    let origins: CORSOrigins
    let trustProxy: Bool

    var allowedOrigins: [String] { origins.current }

    func decide(_ head: HTTPRequestHead, peer: NIOCore.SocketAddress?) async -> Decision {
        guard head.method == .GET, let endpoint = SocketEndpoint(uri: head.uri) else {
            return .refuse(UpgradeRefusal(status: .notFound, error: "Not found"))
        }
        var headers: [(HTTPField.Name, String)] = []
        if let limiter {
            let ip = ClientAddress.resolve(headers: head.headers, peer: peer, trustProxy: trustProxy)
            let verdict = await limiter.hit(.webSocketUpgrade, identity: ip)
            guard verdict.allowed else {
                return .refuse(UpgradeRefusal(status: .tooManyRequests, error: "Too many requests", headers: verdict.headers))
            }
            headers = verdict.headers
        }
        if endpoint == .client, let origin = head.headers.first(name: "origin"),
           !originAllowed(origin, host: head.headers.first(name: "host")) {
            return .refuse(UpgradeRefusal(status: .forbidden, error: "Origin not allowed"))
        }
        return .upgrade(endpoint, headers: headers)
    }

    /// Only a browser page's origin is judged: browsers send `http(s)://…` (or `null` for an
    /// opaque origin); anything else comes from a non-browser client (some WebSocket
    /// libraries send `ws://host`), which counts like no Origin at all.
    func originAllowed(_ origin: String, host: String?) -> Bool {
        let lowered = origin.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered == "null" else { return true }
        if allowedOrigins.isEmpty || allowedOrigins.contains(origin) { return true }
        // The web UI served by this edge: its origin is the Host it connects to.
        guard let host, let separator = origin.range(of: "://") else { return false }
        return origin[separator.upperBound...].lowercased() == host.lowercased()
    }
}
