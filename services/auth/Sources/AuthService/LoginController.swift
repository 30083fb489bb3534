import AgentIMCore
import AgentIMHTTP
import AgentIMTokens
import Foundation
import Hummingbird

/// `/api/auth`: login, refresh, logout (http-api §3.1–3.3).
struct LoginController {
    let service: AuthService
    var users: UserStore { service.users }
    var sessions: SessionIssuer { service.sessions }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.post("login", use: login)
        group.post("refresh", use: refresh)
        group.post("logout", use: logout)
    }

    struct LoginResult: Encodable, Sendable {
        var user: UserView
        var accessToken: String
        var refreshToken: String
    }

    struct TOTPChallenge: Encodable, Sendable {
        let totpRequired = true
        var totpToken: String
    }

    static let invalidCredentials = APIError(401, "Invalid credentials")
    static let totpChallengeLifetime = 300

    func login(_ request: Request, context: HubRequestContext) async throws -> Response {
        var reader = FieldReader(try await request.jsonBody())
        let username = reader.string("username", min: 1)
        let password = reader.string("password", min: 1)
        try reader.check()
        guard let username, let password else { throw APIError.invalidJSON }
        let ip = context.clientAddress

        // Every refusal costs one argon2 verification and reads the same, so neither the
        // answer nor its timing tells an unknown user from a locked or password-less one.
        guard let user = try await users.find(username: username) else {
            _ = await PasswordHasher.verify(password, against: PasswordHasher.dummyHash)
            await service.audit.record(.loginFailed, userId: nil, metadata: ["username": .string(username)], ip: ip)
            throw Self.invalidCredentials
        }
        if let lockedUntil = user.lockedUntil, lockedUntil > Date() {
            _ = await PasswordHasher.verify(password, against: PasswordHasher.dummyHash)
            await service.audit.record(.loginFailed, userId: user.id, metadata: ["locked": .bool(true)], ip: ip)
            throw Self.invalidCredentials
        }
        guard let hash = user.passwordHash else {
            _ = await PasswordHasher.verify(password, against: PasswordHasher.dummyHash)
            await service.audit.record(.loginFailed, userId: user.id, metadata: ["noPassword": .bool(true)], ip: ip)
            throw Self.invalidCredentials
        }
        guard await PasswordHasher.verify(password, against: hash) else {
            let attempts = try await users.recordFailedLogin(id: user.id)
            await service.audit.record(.loginFailed, userId: user.id, metadata: ["attempts": .number(Double(attempts))], ip: ip)
            throw Self.invalidCredentials
        }
        if user.failedLoginAttempts > 0 || user.lockedUntil != nil {
            try? await users.resetFailedLogins(id: user.id)
        }
        if user.totpEnabled {
            let challenge = try await service.runtime.tokens.sign(userId: user.id, username: user.username, type: .totpChallenge,
                                                                  lifetimeSeconds: Self.totpChallengeLifetime)
            return ok(TOTPChallenge(totpToken: challenge))
        }
        return try await completeLogin(user, ip: ip)
    }

    /// The end of a successful login or TOTP verification: a new session within the per-user
    /// cap, the audit row, `{user, accessToken, refreshToken}` and the refresh cookie.
    func completeLogin(_ user: UserRecord, ip: String) async throws -> Response {
        let pair = try await sessions.startSession(userId: user.id, username: user.username)
        await service.audit.record(.login, userId: user.id, ip: ip)
        var response = ok(LoginResult(user: .login(user), accessToken: pair.accessToken, refreshToken: pair.refreshToken))
        response.headers[.setCookie] = sessions.setCookie(pair.refreshToken)
        return response
    }

    struct AccessOnly: Encodable, Sendable { var accessToken: String }
    struct BothTokens: Encodable, Sendable { var accessToken: String; var refreshToken: String }

    func refresh(_ request: Request, context: HubRequestContext) async throws -> Response {
        let cookieToken = request.cookie(SessionIssuer.cookieName).flatMap { $0.isEmpty ? nil : $0 }
        var token = cookieToken
        if token == nil, let body = await request.optionalJSONBody(),
           let candidate = body["refreshToken"]?.stringValue, (1...2000).contains(candidate.jsLength) {
            token = candidate
        }
        guard let token else { throw APIError(401, "Refresh token required") }
        if cookieToken != nil, service.runtime.config.isProduction, let origin = request.headers[.origin] {
            let allowed = service.allowedOrigins()
            if !allowed.isEmpty, !allowed.contains(origin) { throw APIError(403, "Forbidden") }
        }
        let claims: TokenClaims
        do {
            claims = try await service.runtime.tokens.claims(of: token)
        } catch {
            return withClearedCookie(errorResponse(APIError(401, "Invalid or expired refresh token")))
        }
        guard claims.type == .refresh else { throw APIError.invalidTokenType }
        guard let user = try await users.find(id: claims.sub) else { throw APIError(401, "User not found") }

        let issuer = sessions
        let minted = PairBox()
        let rotated = try await service.refreshTokens.rotate(userId: user.id, old: token) {
            let pair = try await issuer.makePair(userId: user.id, username: user.username)
            minted.set(pair)
            return (pair.refreshToken, pair.refreshExpiresAt)
        }
        guard rotated, let pair = minted.value else {
            return withClearedCookie(errorResponse(APIError(401, "Refresh token revoked or invalid")))
        }
        var response = cookieToken != nil
            ? ok(AccessOnly(accessToken: pair.accessToken))
            : ok(BothTokens(accessToken: pair.accessToken, refreshToken: pair.refreshToken))
        response.headers[.setCookie] = sessions.setCookie(pair.refreshToken)
        return response
    }

    /// Ends this session only: its refresh token is deleted; access tokens stay valid until
    /// they expire and sockets stay open (http-api §3.3).
    func logout(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var token = request.cookie(SessionIssuer.cookieName).flatMap { $0.isEmpty ? nil : $0 }
        if token == nil, let body = await request.optionalJSONBody() { token = body["refreshToken"]?.stringValue }
        if let token { try await service.refreshTokens.delete(userId: caller.id, token: token) }
        await service.audit.record(.logout, userId: caller.id, ip: context.clientAddress)
        return withClearedCookie(okEmpty())
    }

    private func withClearedCookie(_ response: Response) -> Response {
        var response = response
        response.headers[.setCookie] = sessions.clearCookie()
        return response
    }
}

/// Carries the pair minted inside the rotation transaction out of its closure.
final class PairBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: SessionIssuer.Pair?
    func set(_ pair: SessionIssuer.Pair) { lock.withLock { stored = pair } }
    var value: SessionIssuer.Pair? { lock.withLock { stored } }
}
