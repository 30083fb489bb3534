import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Foundation
import Hummingbird
import Logging

/// Users, login, tokens and revocation (DESIGN: auth owns users, refresh_tokens,
/// revoked_tokens). `addRoutes` mounts its `/api` routes on any hub router: its own
/// process's, or the single-process hub's edge.
public struct AuthService: Sendable {
    let runtime: Runtime
    let users: UserStore
    let refreshTokens: RefreshTokenStore
    let sessions: SessionIssuer

    public init(runtime: Runtime) throws {
        guard let database = runtime.database else { throw ConfigError("the auth service needs DATABASE_URL") }
        self.runtime = runtime
        users = UserStore(database: database)
        refreshTokens = RefreshTokenStore(database: database)
        sessions = SessionIssuer(config: runtime.config, tokens: runtime.tokens, refreshTokens: refreshTokens)
    }

    public func addRoutes(to router: Router<HubRequestContext>) {
        LoginController(service: self).addRoutes(to: router.group("/api/auth"))
        UsersController(service: self).addRoutes(to: router.group("/api/users"))
        router.get("/internal/revocations") { _, _ in
            let snapshot = await runtime.revocations.snapshot()
            return ok(snapshot.map { RevocationEntry(userId: $0.key, revokedAtMs: $0.value) })
        }
    }

    /// Start-up work before the service answers: admin seeding (every start, §2.5).
    public func prepare() async throws {
        try await AdminSeeder(config: runtime.config, users: users, logger: runtime.logger).seed()
    }

    /// Requires a valid access token; returns its user.
    func authenticate(_ request: Request) async throws -> AuthenticatedUserRef {
        let user = try await runtime.tokens.verifyBearer(request.headers[.authorization])
        return AuthenticatedUserRef(id: user.id, username: user.username)
    }

    /// Requires the caller's current role (read from the database) to be `admin`.
    func requireAdmin(_ request: Request) async throws -> AuthenticatedUserRef {
        let caller = try await authenticate(request)
        guard try await users.role(of: caller.id) == "admin" else { throw APIError.adminRequired }
        return caller
    }
}

struct AuthenticatedUserRef: Sendable {
    var id: String
    var username: String
}

/// One entry of `/internal/revocations`, read by edges at start.
public struct RevocationEntry: Codable, Sendable {
    public var userId: String
    public var revokedAtMs: Int64
}
