import AgentIMCore
import AgentIMRedis
import Foundation
import Testing

/// Sign-in with GitHub and Google (http-api §4) against a real local OAuth provider
/// (`fake_oauth.py`) that speaks both providers' authorization-code flow.
@Suite(.serialized)
struct OAuthSignInTests {
    static var octo: [String: Any] { [
        "id": 4242, "login": "octocat", "name": "Octo Cat", "avatar_url": "https://avatars.example.com/u/4242",
        "emails": [["email": "octo@old.example.com", "primary": false, "verified": true],
                   ["email": "octo@example.com", "primary": true, "verified": true]],
    ] }

    static func hub(_ provider: FakeOAuthProvider, database: String? = nil, extra: [String: String] = [:]) async throws -> AuthHub {
        try await AuthHub.start(database: database, extra: provider.hubEnvironment.merging(extra) { $1 })
    }

    @Test func firstSignInCreatesAUserAndTheNextFindsIt() async throws {
        let provider = try await FakeOAuthProvider()
        defer { provider.stop() }
        let hub = try await Self.hub(provider)
        defer { hub.stop() }
        let base = hub.base

        #expect(try await HTTP.get(base + "/api/auth/oauth/providers").data == .array([.string("github"), .string("google")]))

        // The authorise redirect and the state cookie.
        let start = try await OAuthBrowser.get(base + "/api/auth/oauth/github")
        #expect(start.status == 302)
        let state = try #require(start.cookie("agentim_oauth_state"))
        #expect(state.value.count == 32)
        #expect(state.header == "agentim_oauth_state=\(state.value); Max-Age=600; Path=/api/auth; HttpOnly; SameSite=Lax")
        let authorize = try #require(start.location.flatMap { URLComponents(string: $0) })
        #expect(authorize.path == "/login/oauth/authorize" && authorize.port == provider.port)
        // Form encoding, as URLSearchParams writes it: a space is `+`.
        let query = Dictionary(uniqueKeysWithValues: (authorize.queryItems ?? []).map { ($0.name, ($0.value ?? "").replacingOccurrences(of: "+", with: " ")) })
        #expect(query == ["client_id": FakeOAuthProvider.clientId, "redirect_uri": base + "/api/auth/oauth/github/callback",
                          "scope": "read:user user:email", "state": state.value, "response_type": "code"])

        // First sign-in: a new password-less user named after the display name.
        let first = try await OAuthBrowser.finish(authorize: try #require(start.location), state: state.value, profile: Self.octo, hub: base)
        #expect(first.location == "/auth/callback?provider=github")
        let refresh = try #require(first.refreshCookie)
        #expect(first.callback.cookie("agentim_rt")?.header.contains("Path=/api/auth; HttpOnly; SameSite=Lax") == true)
        #expect(first.callback.cookie("agentim_oauth_state")?.header.hasPrefix("agentim_oauth_state=; Max-Age=0") == true)
        let (_, me) = try await OAuthBrowser.me(base, refreshCookie: refresh)
        #expect(me["username"] == .string("octocat") && me["displayName"] == .string("Octo Cat") && me["role"] == .string("user"))
        #expect(me["avatarUrl"] == .string("https://avatars.example.com/u/4242"))
        let userId = try #require(me["id"]?.stringValue)
        #expect(try hub.sql("SELECT password_hash IS NULL FROM users WHERE id = '\(userId)'") == "t")
        #expect(try hub.sql("""
            SELECT provider || ' ' || provider_account_id || ' ' || email || ' ' || (access_token LIKE 'enc:%') || ' ' || (refresh_token IS NULL)
            FROM oauth_accounts WHERE user_id = '\(userId)'
            """) == "github 4242 octo@example.com true true", "the primary verified address; the token sealed")
        #expect(try hub.sql("SELECT metadata FROM audit_logs WHERE action = 'login' AND user_id = '\(userId)'") == #"{"via": "oauth:github"}"#)

        // The hub sent the provider its secret and the same redirect URI (the provider checks both).
        let exchange = try await provider.log().first { $0["path"] == .string("/login/oauth/access_token") }
        #expect(exchange?["form"]?["client_secret"] == .string(FakeOAuthProvider.clientSecret))
        #expect(exchange?["form"]?["redirect_uri"] == .string(base + "/api/auth/oauth/github/callback"))

        // Second sign-in: the same user, fresh tokens, no new rows.
        let before = try hub.sql("SELECT access_token FROM oauth_accounts WHERE user_id = '\(userId)'")
        let second = try await OAuthBrowser.signIn(hub: base, provider: "github", profile: Self.octo)
        #expect(try await OAuthBrowser.me(base, refreshCookie: try #require(second.refreshCookie)).user["id"] == .string(userId))
        #expect(try hub.sql("SELECT count(*) FROM users WHERE username LIKE 'octocat%'") == "1")
        #expect(try hub.sql("SELECT access_token FROM oauth_accounts WHERE user_id = '\(userId)'") != before)

        // Another account with the same name (and address): a second user, never matched by email.
        var twin = Self.octo
        twin["id"] = 4343
        let third = try await OAuthBrowser.signIn(hub: base, provider: "github", profile: twin)
        let twinUser = try await OAuthBrowser.me(base, refreshCookie: try #require(third.refreshCookie)).user
        #expect(twinUser["username"] == .string("octocat1") && twinUser["id"] != .string(userId))

        // No name at all: the login; Google without a name: the email's local part.
        let nameless = try await OAuthBrowser.signIn(hub: base, provider: "github", profile: ["id": 5, "login": "Ghost-User"])
        #expect(try await OAuthBrowser.me(base, refreshCookie: try #require(nameless.refreshCookie)).user["username"] == .string("ghostuser"))
        let google = try await OAuthBrowser.signIn(hub: base, provider: "google",
                                                   profile: ["id": "g-100", "email": "ann.lee@example.com", "picture": "https://p.example.com/a.png"])
        #expect(google.location == "/auth/callback?provider=google")
        let ann = try await OAuthBrowser.me(base, refreshCookie: try #require(google.refreshCookie)).user
        #expect(ann["username"] == .string("annlee") && ann["displayName"] == .string("annlee"))
        #expect(try hub.sql("SELECT refresh_token LIKE 'enc:%' FROM oauth_accounts WHERE provider_account_id = 'g-100'") == "t",
                "Google's refresh token is kept, sealed")
        let googleAuthorize = try await provider.log().first { $0["path"] == .string("/google/auth") }
        #expect(googleAuthorize?["query"]?["access_type"] == .string("offline") && googleAuthorize?["query"]?["prompt"] == .string("consent"))
        #expect(try await provider.log().first { $0["path"] == .string("/google/token") }?["form"]?["grant_type"] == .string("authorization_code"))

        // An OAuth-only user has no password to log in with.
        let password = try await AuthClient.loginReply(base, "octocat", "Anything123")
        #expect(password.status == 401 && password.error == "Invalid credentials")
    }

    @Test func linkAndUnlinkKeepTheAccountWithTheUserWhoAsked() async throws {
        let provider = try await FakeOAuthProvider()
        defer { provider.stop() }
        let hub = try await Self.hub(provider)
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        let patId = try await AuthClient.createUser(base, admin: admin.accessToken, "pat", password: "PatPass123")
        try await AuthClient.createUser(base, admin: admin.accessToken, "quinn", password: "QuinnPass123")
        let pat = try await AuthClient.login(base, "pat", "PatPass123")
        let quinn = try await AuthClient.login(base, "quinn", "QuinnPass123")
        let patGitHub: [String: Any] = ["id": 777, "login": "pat-gh", "name": "Pat On GitHub"]

        func startLink(_ name: String, token: String?) async throws -> OAuthBrowser.Hop {
            try await OAuthBrowser.get(base + "/api/auth/oauth/\(name)/link", method: "POST", token: token)
        }
        #expect(try await startLink("github", token: nil).status == 401)
        #expect(try await startLink("twitter", token: pat.accessToken).body["error"] == .string("Invalid provider"))

        // Pat links GitHub: the account goes to pat, no new user appears.
        let users = try hub.sql("SELECT count(*) FROM users")
        let link = try await startLink("github", token: pat.accessToken)
        #expect(link.status == 200)
        let url = try #require(link.body["data"]?["url"]?.stringValue)
        let state = try #require(link.cookie("agentim_oauth_state")?.value)
        #expect(url.contains("state=\(state)"))
        let linked = try await OAuthBrowser.finish(authorize: url, state: state, profile: patGitHub, hub: base)
        #expect(linked.location == "/auth/callback?provider=github")
        #expect(try await OAuthBrowser.me(base, refreshCookie: try #require(linked.refreshCookie)).user["id"] == .string(patId))
        #expect(try hub.sql("SELECT count(*) FROM users") == users)
        #expect(try hub.sql("SELECT user_id FROM oauth_accounts WHERE provider_account_id = '777'") == patId)
        let accounts = try await HTTP.get(base + "/api/users/me/oauth-accounts", token: pat.accessToken)
        #expect(accounts.data?.arrayValue?.map { $0["provider"] } == [.string("github")])
        #expect(try hub.sql("SELECT metadata FROM audit_logs WHERE action = 'oauth_link' AND user_id = '\(patId)'") == #"{"provider": "github"}"#)

        let again = try await startLink("github", token: pat.accessToken)
        #expect(again.status == 400 && again.body["error"] == .string("Already linked"))

        // Signing in with that GitHub account now signs in as pat.
        let signIn = try await OAuthBrowser.signIn(hub: base, provider: "github", profile: patGitHub)
        #expect(try await OAuthBrowser.me(base, refreshCookie: try #require(signIn.refreshCookie)).user["id"] == .string(patId))

        // Quinn cannot take pat's GitHub account.
        let steal = try await startLink("github", token: quinn.accessToken)
        let refused = try await OAuthBrowser.finish(authorize: try #require(steal.body["data"]?["url"]?.stringValue),
                                                    state: try #require(steal.cookie("agentim_oauth_state")?.value), profile: patGitHub, hub: base)
        #expect(refused.location == "/login?error=account_linked_to_another_user" && refused.refreshCookie == nil)
        #expect(try hub.sql("SELECT user_id FROM oauth_accounts WHERE provider_account_id = '777'") == patId)

        // Unlink: errors, then pat (who has a password) can drop the only link.
        let notLinked = try await HTTP.delete(base + "/api/auth/oauth/google/unlink", token: pat.accessToken)
        #expect(notLinked.status == 404 && notLinked.error == "Not linked")
        #expect(try await HTTP.delete(base + "/api/auth/oauth/gitlab/unlink", token: pat.accessToken).error == "Invalid provider")
        #expect(try await HTTP.delete(base + "/api/auth/oauth/github/unlink").status == 401)
        let unlinked = try await HTTP.delete(base + "/api/auth/oauth/github/unlink", token: pat.accessToken)
        #expect(unlinked.status == 200 && unlinked.body == .object(["ok": .bool(true)]))
        #expect(try hub.sql("SELECT count(*) FROM oauth_accounts WHERE user_id = '\(patId)'") == "0")
        #expect(try hub.sql("SELECT metadata FROM audit_logs WHERE action = 'oauth_unlink'") == #"{"provider": "github"}"#)

        // An OAuth-only user keeps at least one way to sign in.
        let octo = try await OAuthBrowser.signIn(hub: base, provider: "github", profile: Self.octo)
        let (octoToken, octoUser) = try await OAuthBrowser.me(base, refreshCookie: try #require(octo.refreshCookie))
        let last = try await HTTP.delete(base + "/api/auth/oauth/github/unlink", token: octoToken)
        #expect(last.status == 400 && last.error == "Cannot unlink last authentication method")
        let googleLink = try await startLink("google", token: octoToken)
        let withGoogle = try await OAuthBrowser.finish(authorize: try #require(googleLink.body["data"]?["url"]?.stringValue),
                                                       state: try #require(googleLink.cookie("agentim_oauth_state")?.value),
                                                       profile: ["id": "g-octo", "email": "octo@example.com", "name": "Octo G"], hub: base)
        #expect(withGoogle.location == "/auth/callback?provider=google")
        #expect(try hub.sql("SELECT count(*) FROM oauth_accounts WHERE user_id = '\(try #require(octoUser["id"]?.stringValue))'") == "2")
        #expect(try await HTTP.delete(base + "/api/auth/oauth/github/unlink", token: octoToken).status == 200)
        #expect(try await HTTP.delete(base + "/api/auth/oauth/google/unlink", token: octoToken).error == "Cannot unlink last authentication method")
    }

    @Test func everyFailureRedirectsToLoginWithItsCode() async throws {
        let provider = try await FakeOAuthProvider()
        defer { provider.stop() }
        let hub = try await Self.hub(provider)
        defer { hub.stop() }
        let base = hub.base
        func callback(_ name: String, _ query: String, cookie: String? = nil) async throws -> String? {
            let hop = try await OAuthBrowser.get(base + "/api/auth/oauth/\(name)/callback" + query,
                                                 cookies: cookie.map { ["agentim_oauth_state": $0] } ?? [:])
            #expect(hop.status == 302)
            return hop.location
        }
        func start(_ name: String) async throws -> (url: String, state: String) {
            let hop = try await OAuthBrowser.get(base + "/api/auth/oauth/\(name)")
            return (try #require(hop.location), try #require(hop.cookie("agentim_oauth_state")?.value))
        }

        #expect(try await callback("gitlab", "?code=a&state=b") == "/login?error=invalid_provider")
        #expect(try await callback("github", "?state=b") == "/login?error=missing_params")
        #expect(try await callback("github", "?code=a") == "/login?error=missing_params")
        #expect(try await callback("github", "?code=a&state=\(String(repeating: "x", count: 32))", cookie: String(repeating: "x", count: 32))
                == "/login?error=invalid_state")

        // A state issued for GitHub does not finish at Google's callback, and is spent by the try.
        let forGitHub = try await start("github")
        #expect(try await callback("google", "?code=a&state=\(forGitHub.state)", cookie: forGitHub.state) == "/login?error=invalid_state")
        #expect(try await callback("github", "?code=a&state=\(forGitHub.state)", cookie: forGitHub.state) == "/login?error=invalid_state")

        // The cookie must match the state.
        let mismatched = try await start("github")
        #expect(try await callback("github", "?code=a&state=\(mismatched.state)", cookie: "another") == "/login?error=state_mismatch")
        let noCookie = try await start("github")
        #expect(try await callback("github", "?code=a&state=\(noCookie.state)") == "/login?error=state_mismatch")

        // The provider's own error, URL-encoded.
        let denied = try await start("github")
        let refusal = try await OAuthBrowser.finish(authorize: denied.url, state: denied.state, profile: [:], hub: base, extraQuery: "&deny=access_denied")
        #expect(refusal.location == "/login?error=access_denied")
        #expect(try await callback("google", "?error=bad%20thing%26more") == "/login?error=bad%20thing%26more")

        // Hostile or broken provider answers: oauth_failed, and nobody is created.
        let users = try hub.sql("SELECT count(*) FROM users")
        for mode in ["badjson", "huge", "500"] {
            for name in ["github", "google"] {
                let flow = try await start(name)
                let outcome = try await OAuthBrowser.finish(authorize: flow.url, state: flow.state, profile: ["id": 9, "mode": mode], hub: base)
                #expect(outcome.location == "/login?error=oauth_failed", "\(name) \(mode)")
                #expect(outcome.refreshCookie == nil)
            }
        }
        // A profile without an id, and a code the provider refuses (used twice).
        let noId = try await start("github")
        #expect(try await OAuthBrowser.finish(authorize: noId.url, state: noId.state, profile: ["login": "x"], hub: base).location
                == "/login?error=oauth_failed")
        let reused = try await start("github")
        let page = try await OAuthBrowser.get(reused.url + OAuthBrowser.profileQuery(["id": 11, "login": "once"]))
        let back = String(try #require(page.location).dropFirst(base.count))
        #expect(try await OAuthBrowser.get(base + back, cookies: ["agentim_oauth_state": reused.state]).location == "/auth/callback?provider=github")
        let replay = try await start("github")
        let code = try #require(URLComponents(string: base + back)?.queryItems?.first { $0.name == "code" }?.value)
        #expect(try await callback("github", "?code=\(code)&state=\(replay.state)", cookie: replay.state) == "/login?error=oauth_failed")
        #expect(try hub.sql("SELECT count(*) FROM users") == String(Int(users)! + 1))
        #expect(try await HTTP.get(base + "/api/health").status == 200)

        // JSON errors of the starting endpoints.
        #expect(try await HTTP.get(base + "/api/auth/oauth/gitlab").error == "Invalid provider")
        let plain = try await AuthHub.start()
        defer { plain.stop() }
        #expect(try await HTTP.get(plain.base + "/api/auth/oauth/providers").data == .array([]))
        let unconfigured = try await HTTP.get(plain.base + "/api/auth/oauth/github")
        #expect(unconfigured.status == 400 && unconfigured.error == "Provider not configured")
        let admin = try await AuthClient.admin(plain.base)
        #expect(try await HTTP.post(plain.base + "/api/auth/oauth/google/link", json: nil, token: admin.accessToken).error == "Provider not configured")

        // Credentials saved through the admin settings count at once, without a restart.
        let saved = try await HTTP.put(plain.base + "/api/admin/settings", json: AuthClient.json(["changes": [
            "oauth.google.clientId": "from-settings", "oauth.google.clientSecret": "secret-from-settings"]]), token: admin.accessToken)
        #expect(saved.status == 200, "\(saved.body)")
        #expect(try await HTTP.get(plain.base + "/api/auth/oauth/providers").data == .array([.string("google")]))
        let viaSettings = try await OAuthBrowser.get(plain.base + "/api/auth/oauth/google")
        #expect(viaSettings.status == 302 && viaSettings.location?.hasPrefix("https://accounts.google.com/o/oauth2/v2/auth?client_id=from-settings&") == true,
                "the public endpoint is the default")
    }

    @Test func twoAuthProcessesShareStatesThroughRedis() async throws {
        let redisURL = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        let provider = try await FakeOAuthProvider()
        defer { provider.stop() }
        let first = try await Self.hub(provider, extra: ["REDIS_URL": redisURL])
        defer { first.stop() }
        let second = try await Self.hub(provider, database: first.database, extra: ["REDIS_URL": redisURL])
        defer { second.stop() }
        let redis = try RedisClient(redisURL)
        defer { Task { await redis.shutdown() } }

        let start = try await OAuthBrowser.get(first.base + "/api/auth/oauth/github")
        let state = try #require(start.cookie("agentim_oauth_state")?.value)
        let stored = try await redis.send("GET", "oauth_state:\(state)").string
        #expect(stored.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }?["provider"] == .string("github"))
        let ttl = try await redis.send("TTL", "oauth_state:\(state)").int ?? 0
        #expect((590...600).contains(ttl))

        // Started on the first process, finished on the second (same public host name).
        let outcome = try await OAuthBrowser.finish(authorize: try #require(start.location), state: state, profile: Self.octo,
                                                    hub: first.base, callbackBase: second.base)
        #expect(outcome.location == "/auth/callback?provider=github")
        #expect(try await redis.send("EXISTS", "oauth_state:\(state)").int == 0, "a state is good for one callback")
        #expect(try await OAuthBrowser.me(second.base, refreshCookie: try #require(outcome.refreshCookie)).user["username"] == .string("octocat"))

        // A link started on the second process finishes on the first, for the user who asked.
        let admin = try await AuthClient.admin(second.base)
        let link = try await OAuthBrowser.get(second.base + "/api/auth/oauth/google/link", method: "POST", token: admin.accessToken)
        let linked = try await OAuthBrowser.finish(authorize: try #require(link.body["data"]?["url"]?.stringValue),
                                                   state: try #require(link.cookie("agentim_oauth_state")?.value),
                                                   profile: ["id": "g-admin", "email": "admin@example.com"], hub: second.base, callbackBase: first.base)
        #expect(linked.location == "/auth/callback?provider=google")
        #expect(try first.sql("SELECT u.username FROM oauth_accounts a JOIN users u ON u.id = a.user_id WHERE a.provider_account_id = 'g-admin'") == "admin")
    }

    @Test func theMemoryStoreHoldsAThousandPendingStates() async throws {
        let provider = try await FakeOAuthProvider()
        defer { provider.stop() }
        let hub = try await Self.hub(provider)
        defer { hub.stop() }
        let base = hub.base
        // One flow kept to be finished once the store is full, then 999 more.
        let hop = try await OAuthBrowser.get(base + "/api/auth/oauth/github")
        let kept = (url: try #require(hop.location), state: try #require(hop.cookie("agentim_oauth_state")?.value))
        for batch in stride(from: 0, to: 999, by: 50) {
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in batch..<min(batch + 50, 999) { group.addTask { try await OAuthBrowser.get(base + "/api/auth/oauth/github").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 302 }, "batch \(batch)")
        }
        let full = try await HTTP.get(base + "/api/auth/oauth/google")
        #expect(full.status == 429 && full.error == "Too many pending OAuth requests, try again later")
        let admin = try await AuthClient.admin(base)
        let link = try await HTTP.post(base + "/api/auth/oauth/google/link", json: nil, token: admin.accessToken)
        #expect(link.status == 429 && link.error == "Too many pending OAuth requests, try again later")

        // Finishing a flow frees its place.
        let done = try await OAuthBrowser.finish(authorize: kept.url, state: kept.state, profile: Self.octo, hub: base)
        #expect(done.location == "/auth/callback?provider=github")
        #expect(try await OAuthBrowser.get(base + "/api/auth/oauth/github").status == 302)
        #expect(try await OAuthBrowser.get(base + "/api/auth/oauth/github").status == 429)
    }

    @Test func aBadProviderURLStopsTheProcessWithOneLine() async throws {
        for (key, value) in [("OAUTH_GITHUB_BASE_URL", "ftp://github.example.com"), ("OAUTH_GOOGLE_TOKEN_URL", "not a url"),
                             ("OAUTH_GITHUB_API_URL", "https://api.example.com/?q=1")] {
            let process = try HubProcess("agentim-auth", environment: ["DATABASE_URL": "postgresql://x@127.0.0.1:1/x", key: value])
            process.process.waitUntilExit()
            #expect(process.process.terminationStatus == 1)
            let lines = process.log.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.contains("\(key) must be an absolute http(s) URL") == true, "\(key): \(process.log)")
        }
    }
}
