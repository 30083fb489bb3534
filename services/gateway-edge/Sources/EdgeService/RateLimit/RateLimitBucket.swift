import HTTPTypes

/// One fixed-window limit of http-api §1.7: `rl:<name>:<identity>:<windowSeconds>`.
struct RateLimitBucket: Sendable, Equatable {
    enum Identity: Sendable { case ip, user }

    let name: String
    let windowSeconds: Int
    let max: Int
    let identity: Identity

    static let api = RateLimitBucket(name: "api", windowSeconds: 60, max: 120, identity: .ip)
    static let auth = RateLimitBucket(name: "auth", windowSeconds: 60, max: 20, identity: .ip)
    static let authRefresh = RateLimitBucket(name: "auth_refresh", windowSeconds: 60, max: 60, identity: .ip)
    static let sensitive = RateLimitBucket(name: "sens", windowSeconds: 60, max: 5, identity: .user)
    static let upload = RateLimitBucket(name: "upload", windowSeconds: 60, max: 10, identity: .user)
    static let roomCreate = RateLimitBucket(name: "room-create", windowSeconds: 3600, max: 10, identity: .user)
    static let routerTest = RateLimitBucket(name: "router-test", windowSeconds: 60, max: 5, identity: .ip)
    static let webSocketUpgrade = RateLimitBucket(name: "ws_upgrade", windowSeconds: 60, max: 30, identity: .ip)

    /// The in-memory fallback's budget: half, at least one (http-api §1.7).
    var halvedMax: Int { Swift.max(1, max / 2) }

    func key(_ identity: String) -> String { "rl:\(name):\(identity):\(windowSeconds)" }

    static func identity(forUser userId: String) -> String { "u:\(userId)" }

    /// The route's own bucket, checked after the global `api` one (both must pass).
    static func route(method: HTTPRequest.Method, path: String) -> RateLimitBucket? {
        switch (method, path) {
        case (.post, "/api/auth/login"), (.post, "/api/auth/verify-totp"): return .auth
        case (.post, "/api/auth/refresh"): return .authRefresh
        case (.put, "/api/users/me/password"), (.get, "/api/messages/search"): return .sensitive
        case (.post, "/api/upload"), (.post, "/api/upload/avatar"): return .upload
        case (.post, "/api/rooms"): return .roomCreate
        default: break
        }
        if method == .post, path.hasPrefix("/api/routers/"), path.hasSuffix("/test") {
            let middle = path.dropFirst("/api/routers/".count).dropLast("/test".count)
            if !middle.isEmpty, !middle.contains("/") { return .routerTest }
        }
        return nil
    }
}
