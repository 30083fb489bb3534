import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Users, login, tokens, revocation, runtime settings and the audit log (DESIGN: auth owns
/// users, refresh_tokens, revoked_tokens, oauth_accounts, settings, audit_logs).
/// `addRoutes` mounts its routes on any hub router: its own process's, or the
/// single-process hub's edge; `backgroundServices` go into that process's service group.
public struct AuthService: HubService {
    public let runtime: Runtime
    let users: UserStore
    let refreshTokens: RefreshTokenStore
    let sessions: SessionIssuer
    let revoker: TokenRevoker
    let audit: AuditLog
    let roles: AdminRoleCache
    let settingsStore: SettingsStore
    let oauth: OAuthSetup
    let totpReplay: TOTPReplayGuard

    public init(runtime: Runtime) throws {
        guard let database = runtime.database else { throw ConfigError("the auth service needs DATABASE_URL") }
        self.runtime = runtime
        users = UserStore(database: database)
        refreshTokens = RefreshTokenStore(database: database)
        sessions = SessionIssuer(config: runtime.config, settings: runtime.settings, tokens: runtime.tokens, refreshTokens: refreshTokens)
        revoker = TokenRevoker(runtime: runtime, store: RevokedTokenStore(database: database))
        audit = AuditLog(database: database)
        roles = AdminRoleCache()
        settingsStore = SettingsStore(database: database, secrets: runtime.secrets)
        oauth = try OAuthSetup(runtime: runtime, database: database)
        totpReplay = TOTPReplayGuard(redis: runtime.redis)
    }

    /// Refuses a bad OAuth provider URL (`OAuthEndpoints`) before the process connects anywhere.
    public static func checkEnvironment(_ config: HubConfig) throws {
        _ = try OAuthEndpoints(environment: .process)
    }

    public func addRoutes(to router: Router<HubRequestContext>) {
        let api = router.group().add(middleware: runtime.identityMiddleware(roleOf: { try await role(of: $0) }))
        let auth = api.group("/api/auth")
        LoginController(service: self).addRoutes(to: auth)
        TOTPController(service: self).addRoutes(to: auth)
        OAuthController(service: self).addRoutes(to: auth)
        ProfileController(service: self).addRoutes(to: api.group("/api/users"))
        AdminUsersController(service: self).addRoutes(to: api.group("/api/users"))
        SettingsController(service: self).addRoutes(to: api.group("/api/admin/settings"))
    }

    /// Calls only other hub processes make (`InternalRoutes`, never on the public listener):
    /// the revocations an edge loads before it serves, the role behind the edge's
    /// `/api/admin/metrics`, and the avatar the uploads service stored (`users` is auth's).
    public var internalHandlers: InternalHandlers {
        var handlers = InternalHandlers()
        handlers.on(InternalRoutes.revocations) { _ in
            await runtime.revocations.snapshot().map { RevocationEntry(userId: $0.key, revokedAtMs: $0.value) }
        }
        handlers.on(InternalRoutes.userRole) { try await role(of: $0.userId) }
        handlers.on(InternalRoutes.settings) { _ in
            try await runtime.settings.reload()  // the caller heard of a change this process may not have read yet
            return runtime.settings.storedPublicValues()
        }
        handlers.on(InternalRoutes.recordAvatar) { record in
            guard record.avatarUrl.hasPrefix("/uploads/") else { throw APIError(400, "avatarUrl must start with /uploads/") }
            try await recordAvatar(userId: record.userId, avatarUrl: record.avatarUrl)
            return InternalEmpty()
        }
        return handlers
    }

    /// A user's current site role (cached 15 s, as every admin check), nil when there is no such user.
    public func role(of userId: String) async throws -> String? {
        let users = self.users
        return try await roles.role(of: userId) { try await users.role(of: userId) }
    }

    /// Sets a user's avatar once the uploads service stored the image.
    public func recordAvatar(userId: String, avatarUrl: String) async throws {
        try await users.updateProfile(id: userId, displayName: nil, avatarUrl: avatarUrl)
    }

    /// Long-lived work of the auth service: the periodic clean-ups (data-config-security §4)
    /// and the consumer of the other services' audit rows.
    public var backgroundServices: [any Service] {
        [AuthMaintenance(database: audit.database, settings: runtime.settings, schemaReady: runtime.schemaReady, logger: runtime.logger),
         audit.worker(bus: runtime.bus, consumer: runtime.nodeId, failures: runtime.errors.commandFailed)] + [oauth.sweeper(logger: runtime.logger)].compactMap { $0 }
    }

    /// Start-up work before the service answers: settings, then admin seeding (every start, §2.5).
    public func prepare() async throws {
        try await runtime.settings.reload()
        try await AdminSeeder(config: runtime.config, users: users, logger: runtime.logger).seed()
    }

    /// Origins allowed to use the refresh cookie: the `cors.origin` row when an admin set
    /// one, else the configured list, which includes the platform auto-detection the
    /// original applied only at start (and then refused the platform's own origin, §12).
    func allowedOrigins() -> [String] {
        guard let definition = SettingsRegistry.definition("cors.origin") else { return runtime.config.corsOrigins }
        let (value, source) = runtime.settings.resolve(definition)
        guard source == .db else { return runtime.config.corsOrigins }
        return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
