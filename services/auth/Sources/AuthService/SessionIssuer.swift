import AgentIMCore
import AgentIMRuntime
import AgentIMTokens
import Foundation
import Hummingbird

/// Mints access/refresh pairs and renders the `agentim_rt` cookie (http-api §3). Lifetimes
/// come from the live settings `jwt.accessExpiry` / `jwt.refreshExpiry`.
struct SessionIssuer: Sendable {
    static let cookieName = "agentim_rt"
    let config: HubConfig
    let settings: RuntimeSettings
    let tokens: TokenService
    let refreshTokens: RefreshTokenStore

    var accessLifetime: Int { settings.seconds("jwt.accessExpiry", fallback: 900) }
    var refreshLifetime: Int { settings.seconds("jwt.refreshExpiry", fallback: 604_800) }

    struct Pair: Sendable {
        var accessToken: String
        var refreshToken: String
        var refreshExpiresAt: Date
    }

    func makePair(userId: String, username: String) async throws -> Pair {
        let now = Date()
        let access = try await tokens.sign(userId: userId, username: username, type: .access, lifetimeSeconds: accessLifetime, now: now)
        let refresh = try await tokens.sign(userId: userId, username: username, type: .refresh, lifetimeSeconds: refreshLifetime, now: now)
        return Pair(accessToken: access, refreshToken: refresh, refreshExpiresAt: now.addingTimeInterval(TimeInterval(refreshLifetime)))
    }

    /// A new session at login or TOTP verification: stores the refresh token within the per-user cap.
    func startSession(userId: String, username: String) async throws -> Pair {
        let pair = try await makePair(userId: userId, username: username)
        try await refreshTokens.insertForLogin(userId: userId, token: pair.refreshToken, expiresAt: pair.refreshExpiresAt)
        return pair
    }

    /// `SameSite=Strict` for the JSON logins; the OAuth callback uses `Lax`, since the
    /// browser arrives there from the provider's site (data-config-security §3.3).
    func setCookie(_ token: String, sameSite: String = "Strict") -> String {
        cookie(value: token, maxAge: refreshLifetime, sameSite: sameSite)
    }

    func clearCookie() -> String {
        cookie(value: "", maxAge: 0)
    }

    private func cookie(value: String, maxAge: Int, sameSite: String = "Strict") -> String {
        var parts = ["\(Self.cookieName)=\(value)", "Max-Age=\(maxAge)", "Path=/api/auth", "HttpOnly", "SameSite=\(sameSite)"]
        if config.isProduction { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }
}
