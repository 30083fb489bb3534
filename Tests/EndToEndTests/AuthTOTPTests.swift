import AgentIMCore
import Foundation
import Testing

/// Two-factor login: setup, confirmation, challenge, backup codes, disabling (http-api §3.4–3.7).
@Suite(.serialized)
struct AuthTOTPTests {
    @Test func setupVerifyLoginWithCodesAndDisable() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        try await AuthClient.createUser(base, admin: admin.accessToken, "kim", password: "KimPass123")
        let kim = try await AuthClient.login(base, "kim", "KimPass123")
        func post(_ path: String, _ body: String?, token: String? = kim.accessToken) async throws -> HTTP.Reply {
            try await HTTP.post(base + "/api/auth/" + path, json: body, token: token)
        }

        #expect(try await post("setup-totp", nil, token: nil).status == 401)
        let noSetup = try await post("verify-totp-setup", #"{"code":"123456"}"#)
        #expect(noSetup.status == 400 && noSetup.error == "No TOTP setup in progress")
        let notEnabled = try await post("disable-totp", #"{"password":"KimPass123"}"#)
        #expect(notEnabled.status == 400 && notEnabled.error == "2FA is not enabled")

        // The web sends an empty body with a JSON content type: accepted.
        let setup = try await post("setup-totp", "")
        #expect(setup.status == 200)
        let secret = try #require(setup.data?["secret"]?.stringValue)
        #expect(secret.count == 32 && secret.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
        #expect(setup.data?["uri"]?.stringValue == "otpauth://totp/AgentIM:kim?issuer=AgentIM&secret=\(secret)&algorithm=SHA1&digits=6&period=30")
        #expect(try hub.sql("SELECT totp_secret LIKE 'enc:%' FROM users WHERE username = 'kim'") == "t", "sealed at rest")

        let malformed = try await post("verify-totp-setup", #"{"code":"12ab56"}"#)
        #expect(malformed.status == 400 && malformed.error == "Validation failed")
        let wrongSetup = try await post("verify-totp-setup", #"{"code":"\#(wrongCode(secret))"}"#)
        #expect(wrongSetup.status == 400 && wrongSetup.error == "Invalid TOTP code")
        let confirmed = try await post("verify-totp-setup", #"{"code":"\#(Authenticator.code(base32: secret))"}"#)
        #expect(confirmed.status == 200)
        let listed = confirmed.data?["backupCodes"]?.arrayValue?.compactMap { $0.stringValue }
        let backupCodes = try #require(listed)
        #expect(backupCodes.count == 10 && backupCodes.allSatisfy { $0.count == 8 && $0.allSatisfy(\.isHexDigit) })
        #expect(try await post("setup-totp", nil).error == "2FA is already enabled")
        #expect(try await post("verify-totp-setup", #"{"code":"123456"}"#).error == "2FA is already enabled")
        #expect(try await HTTP.get(base + "/api/users/me", token: kim.accessToken).data?["totpEnabled"] == .bool(true))

        // Login now stops at a challenge: no tokens, no cookie.
        let challenged = try await AuthClient.loginReply(base, "kim", "KimPass123")
        #expect(challenged.status == 200)
        #expect(challenged.data?["totpRequired"] == .bool(true))
        #expect(challenged.data?["accessToken"] == nil && challenged.header("Set-Cookie") == nil)
        let challenge = try #require(challenged.data?["totpToken"]?.stringValue)
        #expect(AuthClient.claims(challenge)?["type"] == .string("totp_challenge"))
        func verify(_ token: String, _ code: String) async throws -> HTTP.Reply {
            try await post("verify-totp", AuthClient.json(["totpToken": token, "code": code]), token: nil)
        }

        #expect(try await post("verify-totp", #"{"totpToken":"","code":"1"}"#, token: nil).error == "Validation failed")
        #expect(try await verify("garbage", "123456").error == "Invalid or expired TOTP token")
        #expect(try await verify(kim.accessToken, "123456").error == "Invalid token type")
        let wrong = try await verify(challenge, wrongCode(secret))
        #expect(wrong.status == 401 && wrong.error == "Invalid TOTP code")
        #expect(try hub.sql("SELECT count(*) FROM audit_logs WHERE action = 'totp_verify_failed'") == "1")

        let withCode = try await verify(challenge, Authenticator.code(base32: secret))
        #expect(withCode.status == 200)
        #expect(withCode.data?["user"]?["totpEnabled"] == .bool(true))
        #expect(withCode.data?["accessToken"]?.stringValue != nil && withCode.refreshCookie == withCode.data?["refreshToken"]?.stringValue)

        // A backup code works once.
        #expect(try await verify(challenge, backupCodes[3]).status == 200)
        let reused = try await verify(challenge, backupCodes[3])
        #expect(reused.status == 401 && reused.error == "Invalid TOTP code")
        #expect(try hub.sql("SELECT json_array_length(totp_backup_codes::json) FROM users WHERE username = 'kim'") == "9")

        let badPassword = try await post("disable-totp", #"{"password":"nope"}"#)
        #expect(badPassword.status == 401 && badPassword.error == "Invalid password")
        #expect(try await post("disable-totp", "{}").error == "Validation failed")
        let disabled = try await post("disable-totp", #"{"password":"KimPass123"}"#)
        #expect(disabled.status == 200 && disabled.body == .object(["ok": .bool(true)]))
        #expect(try hub.sql("SELECT (totp_secret IS NULL AND totp_backup_codes IS NULL AND NOT totp_enabled) FROM users WHERE username = 'kim'") == "t")
        #expect(try await verify(challenge, Authenticator.code(base32: secret)).error == "Invalid TOTP state")
        #expect(try await AuthClient.loginReply(base, "kim", "KimPass123").data?["accessToken"] != nil)
        #expect(try hub.sql("SELECT string_agg(action, ',' ORDER BY created_at) FROM audit_logs WHERE action LIKE 'totp_%' AND action <> 'totp_verify_failed'")
                == "totp_setup,totp_enabled,totp_disabled")
    }

    /// A six-digit code that is valid in none of the accepted steps.
    func wrongCode(_ secret: String) -> String {
        let now = Date()
        let valid = Set([-30.0, 0, 30].map { Authenticator.code(base32: secret, at: now.addingTimeInterval($0)) })
        return (0..<10).map { String(repeating: String($0), count: 6) }.first { !valid.contains($0) }!
    }
}
