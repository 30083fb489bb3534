import AgentIMCore
import Foundation
import Testing

/// Login, refresh, logout, lockout and secret rotation (http-api §3.1–3.3,
/// data-config-security §3.2–3.4) against `agentim-server` with PostgreSQL.
@Suite(.serialized)
struct AuthSessionTests {
    @Test func loginRefreshAndLogoutFollowTheSpec() async throws {
        // A sub-day refresh lifetime: the original's string comparison failed it all day.
        let hub = try await AuthHub.start(extra: ["JWT_REFRESH_EXPIRY": "2h"])
        defer { hub.stop() }
        let base = hub.base

        #expect(try await HTTP.post(base + "/api/auth/login", json: "").error == "Invalid JSON body")
        let empty = try await HTTP.post(base + "/api/auth/login", json: #"{"username":"","password":"x"}"#)
        #expect(empty.status == 400)
        #expect(empty["fields"] == .array([.object(["field": .string("username"), "message": .string("String must contain at least 1 character(s)")])]))

        let login = try await AuthClient.loginReply(base, "admin", AuthClient.adminPassword)
        #expect(login.status == 200)
        let user = try #require(login.data?["user"])
        #expect(user["username"] == .string("admin"))
        #expect(user["displayName"] == .string("admin"))
        #expect(user["avatarUrl"] == .null)
        #expect(user["role"] == .string("admin"))
        #expect(user["totpEnabled"] == .bool(false))
        let access = try #require(login.data?["accessToken"]?.stringValue)
        let refresh = try #require(login.data?["refreshToken"]?.stringValue)
        let cookie = try #require(login.header("Set-Cookie"))
        #expect(cookie == "agentim_rt=\(refresh); Max-Age=7200; Path=/api/auth; HttpOnly; SameSite=Strict")
        let claims = try #require(AuthClient.claims(access))
        #expect(claims["type"] == .string("access") && claims["iss"] == .string("agentim") && claims["aud"] == .string("agentim"))
        #expect(claims["exp"]!.numberValue! - claims["iat"]!.numberValue! == 900)
        #expect(AuthClient.claims(refresh)?["type"] == .string("refresh"))
        #expect(AuthClient.header(access)?["kid"]?.stringValue?.count == 8)

        // Cookie path: only the access token comes back, with a new cookie.
        let viaCookie = try await AuthClient.refresh(base, cookie: refresh)
        #expect(viaCookie.status == 200)
        #expect(viaCookie.data?["accessToken"]?.stringValue != nil)
        #expect(viaCookie.data?["refreshToken"] == nil)
        let rotated = try #require(viaCookie.refreshCookie)
        #expect(rotated != refresh && !rotated.isEmpty)

        // The old token was consumed: a replay fails and clears the cookie.
        let replay = try await AuthClient.refresh(base, body: refresh)
        #expect(replay.status == 401)
        #expect(replay.error == "Refresh token revoked or invalid")
        #expect(replay.refreshCookie == "")

        // Body path (the CLI): both tokens, and the cookie as well.
        let viaBody = try await AuthClient.refresh(base, body: rotated)
        #expect(viaBody.status == 200)
        let next = try #require(viaBody.data?["refreshToken"]?.stringValue)
        #expect(viaBody.refreshCookie == next)

        let none = try await HTTP.post(base + "/api/auth/refresh", json: nil)
        #expect(none.status == 401 && none.error == "Refresh token required" && none.refreshCookie == nil)
        let tooLong = try await AuthClient.refresh(base, body: String(repeating: "x", count: 2001))
        #expect(tooLong.error == "Refresh token required")
        let garbage = try await AuthClient.refresh(base, body: "not-a-jwt")
        #expect(garbage.status == 401 && garbage.error == "Invalid or expired refresh token" && garbage.refreshCookie == "")
        let wrongType = try await AuthClient.refresh(base, body: access)
        #expect(wrongType.status == 401 && wrongType.error == "Invalid token type")

        // An expired row is refused by timestamp, not by text.
        let expiring = try await AuthClient.login(base, "admin", AuthClient.adminPassword)
        try hub.sql("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
        #expect(try await AuthClient.refresh(base, body: expiring.refreshToken).error == "Refresh token revoked or invalid")

        // Logout ends one session only; its access token stays valid.
        let first = try await AuthClient.login(base, "admin", AuthClient.adminPassword)
        let second = try await AuthClient.login(base, "admin", AuthClient.adminPassword)
        #expect(try await HTTP.post(base + "/api/auth/logout", json: nil).error == "Unauthorized")
        let logout = try await HTTP.post(base + "/api/auth/logout", json: AuthClient.json(["refreshToken": first.refreshToken]), token: first.accessToken)
        #expect(logout.status == 200 && logout.body == .object(["ok": .bool(true)]) && logout.refreshCookie == "")
        #expect(try await AuthClient.refresh(base, body: first.refreshToken).status == 401)
        #expect(try await AuthClient.refresh(base, body: second.refreshToken).status == 200)
        #expect(try await HTTP.get(base + "/api/users/me", token: first.accessToken).status == 200)
        let bare = try await HTTP.post(base + "/api/auth/logout", json: nil, token: second.accessToken)
        #expect(bare.status == 200, "no body and no cookie is fine")

        let actions = try hub.sql("SELECT string_agg(DISTINCT action, ',' ORDER BY action) FROM audit_logs")
        #expect(actions == "login,logout")
    }

    @Test func concurrentRefreshesWithOneTokenHaveOneWinner() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let session = try await AuthClient.admin(hub.base)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<24 {
                group.addTask { try await AuthClient.refresh(hub.base, body: session.refreshToken).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1)
        #expect(statuses.filter { $0 == 401 }.count == 23)
        #expect(try hub.sql("SELECT count(*) FROM refresh_tokens") == "1")
    }

    @Test func loginKeepsTenSessionsPerUser() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        var sessions: [Session] = []
        for _ in 0..<12 { sessions.append(try await AuthClient.admin(hub.base)) }
        #expect(try hub.sql("SELECT count(*) FROM refresh_tokens") == "10")
        #expect(try await AuthClient.refresh(hub.base, body: sessions[0].refreshToken).status == 401, "the oldest was evicted")
        #expect(try await AuthClient.refresh(hub.base, body: sessions[11].refreshToken).status == 200)
    }

    @Test func fiveWrongPasswordsLockTheAccountUntilTheLockRunsOut() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        try await AuthClient.createUser(base, admin: admin.accessToken, "carol", password: "CarolPass123")

        for _ in 0..<5 {
            let wrong = try await AuthClient.loginReply(base, "carol", "wrong-password")
            #expect(wrong.status == 401 && wrong.error == "Invalid credentials")
        }
        let locked = try await AuthClient.loginReply(base, "carol", "CarolPass123")
        #expect(locked.status == 401 && locked.error == "Invalid credentials", "locked: even the right password is refused alike")
        #expect(try hub.sql("SELECT failed_login_attempts || ',' || (locked_until > now() + interval '14 minutes') FROM users WHERE username = 'carol'") == "5,true")
        #expect(try hub.sql("SELECT count(*) FROM audit_logs WHERE action = 'login_failed' AND metadata->>'locked' = 'true'") == "1")

        // The lock runs out (moved into the past rather than waiting 15 minutes): one slip
        // no longer re-locks, as it did in the original, and the right password works.
        try hub.sql("UPDATE users SET locked_until = now() - interval '1 second' WHERE username = 'carol'")
        #expect(try await AuthClient.loginReply(base, "carol", "wrong-password").status == 401)
        #expect(try hub.sql("SELECT failed_login_attempts || ',' || (locked_until IS NULL) FROM users WHERE username = 'carol'") == "1,true")
        _ = try await AuthClient.login(base, "carol", "CarolPass123")
        #expect(try hub.sql("SELECT failed_login_attempts FROM users WHERE username = 'carol'") == "0")

        // Unknown users and password-less accounts: the same answer as a wrong password (that
        // each costs an argon2 run too is measured by bench/login-timing.py).
        try hub.sql("UPDATE users SET password_hash = NULL WHERE username = 'carol'")
        let wrong = try await AuthClient.loginReply(base, "admin", "wrong-password")
        #expect(wrong.status == 401 && wrong.error == "Invalid credentials")
        let unknown = try await AuthClient.loginReply(base, "nobody-here", "whatever")
        #expect(unknown.status == 401 && unknown.error == "Invalid credentials")
        let passwordless = try await AuthClient.loginReply(base, "carol", "CarolPass123")
        #expect(passwordless.status == 401 && passwordless.error == "Invalid credentials")
        #expect(unknown.body == wrong.body && passwordless.body == wrong.body, "one answer, whatever the cause")
    }

    @Test func aRotatedSecretLogsNobodyOutUntilThePreviousOneIsRemoved() async throws {
        let oldSecret = SingleProcessHubTests.secret
        let newSecret = "the-rotated-secret-that-is-also-long-enough"
        var hub = try await AuthHub.start()
        let session = try await AuthClient.admin(hub.base)
        hub.stopGracefully()

        hub = try await AuthHub.start(database: hub.database, extra: ["JWT_SECRET": newSecret, "JWT_SECRET_PREVIOUS": oldSecret])
        #expect(try await HTTP.get(hub.base + "/api/users/me", token: session.accessToken).status == 200)
        let refreshed = try await AuthClient.refresh(hub.base, body: session.refreshToken)
        #expect(refreshed.status == 200, "a refresh token signed with the previous secret still rotates")
        let newAccess = try #require(refreshed.data?["accessToken"]?.stringValue)
        #expect(AuthClient.header(newAccess)?["kid"] != AuthClient.header(session.accessToken)?["kid"], "new tokens use the new secret")
        hub.stopGracefully()

        hub = try await AuthHub.start(database: hub.database, extra: ["JWT_SECRET": newSecret])
        defer { hub.stop() }
        let old = try await HTTP.get(hub.base + "/api/users/me", token: session.accessToken)
        #expect(old.status == 401 && old.error == "Invalid or expired token")
        #expect(try await HTTP.get(hub.base + "/api/users/me", token: newAccess).status == 200)
    }

    @Test func aRestartedHubRejectsTokensRevokedWhileItWasDown() async throws {
        var hub = try await AuthHub.start()
        let admin = try await AuthClient.admin(hub.base)
        try await AuthClient.createUser(hub.base, admin: admin.accessToken, "dave", password: "DavePass123")
        let dave = try await AuthClient.login(hub.base, "dave", "DavePass123")
        hub.stopGracefully()

        // Revoked by another process while this one was down: only the table knows.
        let now = Int64(Date().timeIntervalSince1970 * 1000) + 1000
        try hub.sql("""
            INSERT INTO revoked_tokens (id, user_id, token_hash, expires_at)
            VALUES ('rv-test', '\(dave.userId)', '\(now)', now() + interval '15 minutes')
            """)
        hub = try await AuthHub.start(database: hub.database)
        defer { hub.stop() }
        let reply = try await HTTP.get(hub.base + "/api/users/me", token: dave.accessToken)
        #expect(reply.status == 401 && reply.error == "Token revoked")
        let socket = TestSocket(url: hub.process.wsURL)
        defer { socket.close() }
        #expect(await socket.authenticate(dave.accessToken)?["ok"] == .bool(false))
    }

    @Test func productionRefusesWhatAuthReadsWithOneLineEach() async throws {
        let valid = ["NODE_ENV": "production", "JWT_SECRET": String(repeating: "j", count: 40), "DATABASE_URL": "postgresql://x@127.0.0.1:1/x",
                     "CORS_ORIGIN": "https://chat.example.com", "ENCRYPTION_KEY": String(repeating: "k", count: 40),
                     "ADMIN_PASSWORD": "Strong-Admin-Pass-1"]
        let cases: [(String, String?, String)] = [
            ("ENCRYPTION_KEY", nil, "ENCRYPTION_KEY must be set in production"),
            ("ENCRYPTION_KEY", "short-key", "ENCRYPTION_KEY is too short (< 32 chars) for production"),
            ("ADMIN_PASSWORD", "weakpassword", "ADMIN_PASSWORD does not meet minimum complexity requirements: an uppercase letter, a digit, a special character"),
            ("JWT_SECRET", "dev-secret-change-me", "JWT_SECRET is missing or too short (min 32 chars)"),
        ]
        for (key, value, message) in cases {
            var env = valid
            env[key] = value ?? ""
            let process = try HubProcess("agentim-auth", environment: env)
            process.process.waitUntilExit()
            #expect(process.process.terminationStatus == 1)
            let lines = process.log.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.contains(message) == true, "\(key): \(process.log)")
        }
    }
}
