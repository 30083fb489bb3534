import AgentIMCore
import AgentIMHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `/api/auth/oauth/*`: sign-in with GitHub or Google, and linking/unlinking those accounts
/// (http-api §4, data-config-security §3.3).
///
/// A pending `state` (32-char nanoid, 10 minutes) is kept in the state store and mirrored
/// in the `agentim_oauth_state` cookie; the callback needs both. A link started by a
/// signed-in user stores that user's id in the state entry, so the callback links the
/// provider account to that user instead of signing in (the original's callback ignored
/// who asked and created a second user).
struct OAuthController {
    static let stateCookie = "agentim_oauth_state"
    static let tooManyPending = APIError(429, "Too many pending OAuth requests, try again later")

    let service: AuthService
    var oauth: OAuthSetup { service.oauth }
    var logger: Logger { service.runtime.logger }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("oauth/providers") { _, _ in ok(configuredProviders().map(\.rawValue)) }
        group.get("oauth/:provider", use: authorise)
        group.get("oauth/:provider/callback", use: callback)
        group.post("oauth/:provider/link", use: link)
        group.delete("oauth/:provider/unlink", use: unlink)
    }

    // MARK: Configuration (read at request time: an admin may change it at any moment)

    func credentials(_ provider: OAuthProvider) -> (id: String, secret: String)? {
        let settings = service.runtime.settings
        let id = settings.string(provider.clientIdKey), secret = settings.string(provider.clientSecretKey)
        return id.isEmpty || secret.isEmpty ? nil : (id, secret)
    }

    func configuredProviders() -> [OAuthProvider] {
        OAuthProvider.allCases.filter { credentials($0) != nil }
    }

    private func provider(_ context: HubRequestContext) throws -> OAuthProvider {
        guard let provider = context.parameters.get("provider").flatMap(OAuthProvider.init(rawValue:)) else {
            throw APIError(400, "Invalid provider")
        }
        return provider
    }

    private func configured(_ provider: OAuthProvider) throws -> (id: String, secret: String) {
        guard let credentials = credentials(provider) else { throw APIError(400, "Provider not configured") }
        return credentials
    }

    // MARK: Start

    func authorise(_ request: Request, context: HubRequestContext) async throws -> Response {
        let provider = try provider(context)
        let credentials = try configured(provider)
        let redirectUri = try callbackURL(provider, request)
        let state = try await newState(OAuthPendingState(provider: provider.rawValue, linkUserId: nil))
        var response = Response(status: .found)
        response.headers[.location] = authorizeURL(provider, clientId: credentials.id, redirectUri: redirectUri, state: state)
        response.headers[.setCookie] = stateCookie(state, maxAge: OAuthStates.lifetimeSeconds)
        return response
    }

    /// Starts a link to the caller's account. The answer also sets the state cookie (the
    /// web calls this with `fetch` on the same origin, then opens the URL), without which
    /// the callback would refuse the state.
    func link(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let provider = try provider(context)
        let credentials = try configured(provider)
        guard try await !oauth.accounts.hasLink(userId: caller.id, provider: provider) else { throw APIError(400, "Already linked") }
        let redirectUri = try callbackURL(provider, request)
        let state = try await newState(OAuthPendingState(provider: provider.rawValue, linkUserId: caller.id))
        struct LinkURL: Encodable, Sendable { var url: String }
        var response = ok(LinkURL(url: authorizeURL(provider, clientId: credentials.id, redirectUri: redirectUri, state: state)))
        response.headers[.setCookie] = stateCookie(state, maxAge: OAuthStates.lifetimeSeconds)
        return response
    }

    private func newState(_ entry: OAuthPendingState) async throws -> String {
        let state = Nanoid.make(length: 32)
        guard try await oauth.states.put(state, entry) else { throw Self.tooManyPending }
        return state
    }

    func authorizeURL(_ provider: OAuthProvider, clientId: String, redirectUri: String, state: String) -> String {
        var query = [("client_id", clientId), ("redirect_uri", redirectUri), ("scope", provider.scopes), ("state", state),
                     ("response_type", "code")]
        // Google returns a refresh token only with offline access and a fresh consent.
        if provider == .google { query += [("access_type", "offline"), ("prompt", "consent")] }
        let base = oauth.endpoints.authorizeURL(provider)
        return base + (base.contains("?") ? "&" : "?")
            + query.map { "\($0.0)=\(OAuthProviderClient.formEncode($0.1))" }.joined(separator: "&")
    }

    // MARK: Callback

    func callback(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let provider = context.parameters.get("provider").flatMap(OAuthProvider.init(rawValue:)) else {
            return failure("invalid_provider")
        }
        let query = request.uri.queryParameters
        if let error = query.get("error") {
            logger.warning("OAuth \(provider.rawValue) answered error \(error.prefix(100))")
            return failure(String(error.prefix(200)))
        }
        guard let code = query.get("code"), !code.isEmpty, let state = query.get("state"), !state.isEmpty else {
            return failure("missing_params")
        }
        guard code.utf8.count <= 2048, state.utf8.count <= 64,
              let pending = try await oauth.states.take(state), pending.provider == provider.rawValue else {
            return failure("invalid_state")
        }
        guard request.cookie(Self.stateCookie) == state else { return failure("state_mismatch") }

        do {
            let credentials = try configured(provider)
            let redirectUri = try callbackURL(provider, request)
            let profile = try await oauth.client.exchange(provider, code: code, redirectUri: redirectUri,
                                                          clientId: credentials.id, clientSecret: credentials.secret)
            let ip = context.clientAddress
            let user: UserRecord
            if let linkUserId = pending.linkUserId {
                guard let linking = try await service.users.find(id: linkUserId) else { return failure("user_not_found") }
                if let code = try await linkFailure(profile, provider: provider, to: linking) { return failure(code) }
                await service.audit.record(.oauthLink, userId: linking.id, metadata: ["provider": .string(provider.rawValue)], ip: ip)
                user = linking
            } else {
                guard let found = try await signIn(profile, provider: provider) else { return failure("user_not_found") }
                user = found
            }
            let pair = try await service.sessions.startSession(userId: user.id, username: user.username)
            await service.audit.record(.login, userId: user.id, metadata: ["via": .string("oauth:\(provider.rawValue)")], ip: ip)
            var response = redirect("/auth/callback?provider=\(provider.rawValue)")
            response.headers.append(HTTPField(name: .setCookie, value: service.sessions.setCookie(pair.refreshToken, sameSite: "Lax")))
            return response
        } catch {
            logger.error("OAuth \(provider.rawValue) callback failed: \(error)")
            return failure("oauth_failed")
        }
    }

    /// Links the account to the signed-in user who started the flow; the error code when it
    /// cannot be: the provider account belongs to another user, or this user already has
    /// another account of that provider.
    private func linkFailure(_ profile: OAuthProfile, provider: OAuthProvider, to user: UserRecord) async throws -> String? {
        let accounts = oauth.accounts
        let owner = try await accounts.owner(provider: provider, accountId: profile.providerAccountId)
        if let owner, owner != user.id { return "account_linked_to_another_user" }
        if owner == nil, try await accounts.hasLink(userId: user.id, provider: provider) { return "already_linked" }
        let holder = try await accounts.link(profile, provider: provider, to: user.id)
        return holder == user.id ? nil : "account_linked_to_another_user"
    }

    /// The user a sign-in is for: the one the provider account is linked to (its row gets
    /// the fresh tokens), else a new password-less user (never matched by email).
    private func signIn(_ profile: OAuthProfile, provider: OAuthProvider) async throws -> UserRecord? {
        let accounts = oauth.accounts
        if let owner = try await accounts.owner(provider: provider, accountId: profile.providerAccountId) {
            _ = try await accounts.link(profile, provider: provider, to: owner)
            return try await service.users.find(id: owner)
        }
        do {
            let created = try await accounts.createUser(for: profile, provider: provider)
            return try await service.users.find(id: created.id)
        } catch is OAuthAccountStore.LostRace {
            // A concurrent first sign-in of the same account created the user: sign in as that one.
            guard let owner = try await accounts.owner(provider: provider, accountId: profile.providerAccountId) else { return nil }
            return try await service.users.find(id: owner)
        }
    }

    // MARK: Unlink

    func unlink(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let provider = try provider(context)
        switch try await oauth.accounts.unlink(userId: caller.id, provider: provider) {
        case .userNotFound: throw APIError(404, "User not found")
        case .lastMethod: throw APIError(400, "Cannot unlink last authentication method")
        case .notLinked: throw APIError(404, "Not linked")
        case .unlinked:
            await service.audit.record(.oauthUnlink, userId: caller.id, metadata: ["provider": .string(provider.rawValue)],
                                       ip: context.clientAddress)
            return okEmpty()
        }
    }

    // MARK: Responses

    private func redirect(_ location: String) -> Response {
        var response = Response(status: .found)
        response.headers[.location] = location
        // Whatever the outcome, the state is spent.
        response.headers.append(HTTPField(name: .setCookie, value: stateCookie("", maxAge: 0)))
        return response
    }

    private func failure(_ code: String) -> Response {
        redirect("/login?error=\(TOTP.percentEncode(code))")
    }

    func stateCookie(_ value: String, maxAge: Int) -> String {
        var parts = ["\(Self.stateCookie)=\(value)", "Max-Age=\(maxAge)", "Path=/api/auth", "HttpOnly", "SameSite=Lax"]
        if service.runtime.config.isProduction { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// `<origin>/api/auth/oauth/<p>/callback` (http-api §4). The origin's scheme is the
    /// forwarded one when the request came through the edge (which sets it from the
    /// connection, or from a trusted proxy) or when `TRUST_PROXY` is on; else the
    /// listener's own. The host is the one the client asked for, checked to be a host name.
    func callbackURL(_ provider: OAuthProvider, _ request: Request) throws -> String {
        let config = service.runtime.config
        guard let host = request.head.authority, (1...255).contains(host.utf8.count),
              host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]_".unicodeScalars.contains($0)) })
        else { throw APIError(400, "Invalid Host header") }
        var scheme = config.tlsCertFile != nil ? "https" : "http"
        if config.processRole != "server" || config.trustProxy,
           let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.split(separator: ",").first?
               .trimmingCharacters(in: .whitespaces).lowercased(),
           forwarded == "http" || forwarded == "https" {
            scheme = forwarded
        }
        return "\(scheme)://\(host)/api/auth/oauth/\(provider.rawValue)/callback"
    }
}
