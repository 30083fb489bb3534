import AgentIMCore
import Foundation
import Testing

/// A TOTP code and a backup code are each accepted once (RFC 6238 §5.2): a replay within
/// the code's window, or an older code once a newer one was used, reads as a wrong code.
@Suite(.serialized)
struct AuthTOTPReplayTests {
    /// Enables 2FA for a new user `name`; returns its secret and backup codes.
    static func enable(_ base: String, _ name: String) async throws -> (secret: String, backupCodes: [String]) {
        let admin = try await AuthClient.admin(base)
        try await AuthClient.createUser(base, admin: admin.accessToken, name, password: "ReplayPass123")
        let user = try await AuthClient.login(base, name, "ReplayPass123")
        let setup = try await HTTP.post(base + "/api/auth/setup-totp", json: nil, token: user.accessToken)
        let secret = try #require(setup.data?["secret"]?.stringValue)
        let confirmed = try await HTTP.post(base + "/api/auth/verify-totp-setup", json: #"{"code":"\#(Authenticator.code(base32: secret))"}"#,
                                            token: user.accessToken)
        let codes = confirmed.data?["backupCodes"]?.arrayValue?.compactMap { $0.stringValue }
        return (secret, try #require(codes))
    }

    static func verify(_ base: String, _ name: String, _ code: String) async throws -> HTTP.Reply {
        let challenge = try #require(try await AuthClient.loginReply(base, name, "ReplayPass123").data?["totpToken"]?.stringValue)
        return try await HTTP.post(base + "/api/auth/verify-totp", json: AuthClient.json(["totpToken": challenge, "code": code]))
    }

    @Test func aCodeAndABackupCodeWorkOnce() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let base = hub.base
        let (secret, backupCodes) = try await Self.enable(base, "rita")

        // The code used to confirm the setup still signs in once (it started no session).
        let now = Date()
        let code = Authenticator.code(base32: secret, at: now)
        #expect(try await Self.verify(base, "rita", code).status == 200)
        let replay = try await Self.verify(base, "rita", code)
        #expect(replay.status == 401 && replay.error == "Invalid TOTP code")
        // The previous step's code is still inside the drift window, but older than the used one.
        let older = try await Self.verify(base, "rita", Authenticator.code(base32: secret, at: now.addingTimeInterval(-30)))
        #expect(older.status == 401 && older.error == "Invalid TOTP code")
        // The next step's code (one step of drift) is new: accepted once.
        let next = Authenticator.code(base32: secret, at: now.addingTimeInterval(30))
        #expect(try await Self.verify(base, "rita", next).status == 200)
        #expect(try await Self.verify(base, "rita", next).error == "Invalid TOTP code")
        #expect(try hub.sql("SELECT count(*) FROM audit_logs WHERE action = 'totp_verify_failed'") == "3")

        // Two logins racing with one backup code: exactly one gets in.
        let racing = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await Self.verify(base, "rita", backupCodes[0]).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(racing.sorted() == [200, 401, 401, 401])
        #expect(try await Self.verify(base, "rita", backupCodes[0]).error == "Invalid TOTP code")
        #expect(try await Self.verify(base, "rita", backupCodes[1]).status == 200)
    }

    @Test func aReplayIsRefusedByAnotherAuthProcessToo() async throws {
        let redis = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        let first = try await AuthHub.start(extra: ["REDIS_URL": redis])
        defer { first.stop() }
        let second = try await AuthHub.start(database: first.database, extra: ["REDIS_URL": redis])
        defer { second.stop() }
        let (secret, _) = try await Self.enable(first.base, "sam")
        let code = Authenticator.code(base32: secret)
        #expect(try await Self.verify(first.base, "sam", code).status == 200)
        let elsewhere = try await Self.verify(second.base, "sam", code)
        #expect(elsewhere.status == 401 && elsewhere.error == "Invalid TOTP code")
    }
}
