import AgentIMCore
import Crypto
import Foundation
import Testing

/// `agentim-server reencrypt` over every kind of stored secret (data-config-security §3.9):
/// sensitive settings, TOTP secrets, router API keys, service-agent configs and OAuth
/// provider tokens, each written through the API under the old key.
@Suite(.serialized)
struct SecretRotationTests {
    static let oldKey = "old-key-for-the-reencrypt-test-0123456789"
    static let newKey = "new-key-for-the-reencrypt-test-9876543210"

    /// Every column holding envelopes, as `label → SQL selecting (row id, value)`.
    static let columns: [(label: String, sql: String)] = [
        ("settings", "SELECT key, value FROM settings WHERE value LIKE 'enc:%'"),
        ("users.totp_secret", "SELECT id, totp_secret FROM users WHERE totp_secret LIKE 'enc:%'"),
        ("routers.llm_api_key", "SELECT id, llm_api_key FROM routers WHERE llm_api_key LIKE 'enc:%'"),
        ("service_agents.config_encrypted", "SELECT id, config_encrypted FROM service_agents WHERE config_encrypted LIKE 'enc:%'"),
        ("oauth_accounts.access_token", "SELECT id, access_token FROM oauth_accounts WHERE access_token LIKE 'enc:%'"),
        ("oauth_accounts.refresh_token", "SELECT id, refresh_token FROM oauth_accounts WHERE refresh_token LIKE 'enc:%'"),
    ]

    static func stored(_ database: String) throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (label, sql) in columns {
            let rows = try TestEnvironment.psql(database, sql).split(separator: "\n")
            result[label] = Dictionary(uniqueKeysWithValues: rows.map { row in
                let parts = row.split(separator: "|", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            })
        }
        return result
    }

    @Test func reencryptMovesEveryKindOfSecretToTheNewKey() async throws {
        let provider = try await FakeOAuthProvider()
        defer { provider.stop() }
        // GitHub's secret in the environment is wrong: sign-in works only while the hub can
        // read the right one stored (sealed) in the settings table.
        var env = provider.hubEnvironment
        env["OAUTH_GITHUB_CLIENT_SECRET"] = "wrong-secret"
        env["ENCRYPTION_KEY"] = Self.oldKey
        env["ROUTER_ALLOW_PRIVATE_URLS"] = "true"
        let hub = try await AuthHub.start(extra: env)
        var base = hub.base
        let admin = try await AuthClient.admin(base)

        // Sensitive settings.
        let saved = try await HTTP.put(base + "/api/admin/settings", json: AuthClient.json(["changes": [
            "oauth.github.clientSecret": FakeOAuthProvider.clientSecret, "router.llm.apiKey": "sk-setting-secret-42"]]), token: admin.accessToken)
        #expect(saved.status == 200, "\(saved.body)")
        // OAuth tokens (GitHub: access token; Google: access and refresh token).
        let github = try await OAuthBrowser.signIn(hub: base, provider: "github", profile: ["id": 31, "login": "rotor"])
        #expect(github.location == "/auth/callback?provider=github")
        let google = try await OAuthBrowser.signIn(hub: base, provider: "google", profile: ["id": "g-31", "email": "rotor@example.com"])
        #expect(google.location == "/auth/callback?provider=google")
        // A TOTP secret.
        let setup = try await HTTP.post(base + "/api/auth/setup-totp", json: nil, token: admin.accessToken)
        let totpSecret = try #require(setup.data?["secret"]?.stringValue)
        #expect(try await HTTP.post(base + "/api/auth/verify-totp-setup", json: #"{"code":"\#(Authenticator.code(base32: totpSecret))"}"#,
                                    token: admin.accessToken).status == 200)
        // A router key and a service agent's config.
        let router = try await HTTP.post(base + "/api/routers", json: #"{"name":"rot","llmBaseUrl":"http://127.0.0.1:9/v1","llmApiKey":"sk-router-secret-42","llmModel":"m"}"#,
                                         token: admin.accessToken)
        #expect(router.status == 201, "\(router.body)")
        let agent = try await HTTP.post(base + "/api/service-agents", json: #"{"name":"Rot","type":"openai-chat","config":{"baseUrl":"http://127.0.0.1:9/v1","apiKey":"sk-agent-secret-42","model":"m"}}"#,
                                        token: admin.accessToken)
        #expect(agent.status == 201, "\(agent.body)")
        hub.stop()

        let old = SymmetricKey(data: Data(SHA256.hash(data: Data(Self.oldKey.utf8))))
        let new = SymmetricKey(data: Data(SHA256.hash(data: Data(Self.newKey.utf8))))
        let before = try Self.stored(hub.database)
        #expect(before.mapValues(\.count) == ["settings": 2, "users.totp_secret": 1, "routers.llm_api_key": 1, "service_agents.config_encrypted": 1,
                                              "oauth_accounts.access_token": 2, "oauth_accounts.refresh_token": 1], "every kind is sealed at rest")
        var plaintexts: [String: [String: String]] = [:]
        for (label, rows) in before {
            for (id, value) in rows { plaintexts[label, default: [:]][id] = try #require(Envelope.open(value, key: old), "\(label) \(id)") }
        }
        #expect(plaintexts["users.totp_secret"]?.values.first == totpSecret)
        #expect(plaintexts["routers.llm_api_key"]?.values.first == "sk-router-secret-42")
        #expect(plaintexts["service_agents.config_encrypted"]?.values.first?.contains("sk-agent-secret-42") == true)
        #expect(Set(plaintexts["settings"].map { Array($0.values) } ?? []) == [FakeOAuthProvider.clientSecret, "sk-setting-secret-42"])
        #expect(plaintexts["oauth_accounts.access_token"]?.values.allSatisfy { $0.hasPrefix("tok_") } == true)

        // Rotate.
        let rotation = try Self.run(["reencrypt"], env: ["DATABASE_URL": hub.database, "ENCRYPTION_KEY_PREVIOUS": Self.oldKey, "ENCRYPTION_KEY": Self.newKey])
        #expect(rotation.status == 0 && rotation.output.contains("re-encrypted 8 secret(s)"), "\(rotation.output)")

        // Every value: the same plaintext under the new key, unreadable under the old one.
        let after = try Self.stored(hub.database)
        for (label, rows) in before {
            #expect(after[label]?.count == rows.count, "\(label)")
            for (id, value) in after[label] ?? [:] {
                #expect(value != rows[id], "\(label) \(id) was rewritten")
                #expect(Envelope.open(value, key: new) == plaintexts[label]?[id], "\(label) \(id) reads with the new key")
                #expect(Envelope.open(value, key: old) == nil, "\(label) \(id) no longer reads with the old key")
            }
        }

        // A hub under the new key uses them: TOTP login, and GitHub sign-in with the stored secret.
        let renewed = try await AuthHub.start(database: hub.database, extra: env.merging(["ENCRYPTION_KEY": Self.newKey]) { $1 })
        base = renewed.base
        let challenge = try #require(try await AuthClient.loginReply(base, "admin", AuthClient.adminPassword).data?["totpToken"]?.stringValue)
        let verified = try await HTTP.post(base + "/api/auth/verify-totp",
                                           json: AuthClient.json(["totpToken": challenge, "code": Authenticator.code(base32: totpSecret)]))
        #expect(verified.status == 200, "\(verified.body)")
        #expect(try await OAuthBrowser.signIn(hub: base, provider: "github", profile: ["id": 31, "login": "rotor"]).location == "/auth/callback?provider=github")
        renewed.stop()

        // A hub still on the old key reads none of it.
        let stale = try await AuthHub.start(database: hub.database, extra: env)
        defer { stale.stop() }
        let staleChallenge = try #require(try await AuthClient.loginReply(stale.base, "admin", AuthClient.adminPassword).data?["totpToken"]?.stringValue)
        let staleVerify = try await HTTP.post(stale.base + "/api/auth/verify-totp",
                                              json: AuthClient.json(["totpToken": staleChallenge, "code": Authenticator.code(base32: totpSecret, at: Date().addingTimeInterval(30))]))
        #expect(staleVerify.status == 401 && staleVerify.error == "Invalid TOTP state")
        #expect(try await OAuthBrowser.signIn(hub: stale.base, provider: "github", profile: ["id": 31, "login": "rotor"]).location == "/login?error=oauth_failed",
                "the stored client secret does not open: the wrong one from the environment applies")
    }

    static func run(_ arguments: [String], env: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = TestEnvironment.binDir.appendingPathComponent("agentim-server")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The secret envelope `enc:<iv>:<ciphertext>:<tag>` (hex, AES-256-GCM), read independently
/// of the hub's implementation.
enum Envelope {
    static func open(_ stored: String, key: SymmetricKey) -> String? {
        let parts = stored.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "enc", let iv = hex(parts[1]), let body = hex(parts[2]), let tag = hex(parts[3]),
              let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: body, tag: tag),
              let plain = try? AES.GCM.open(box, using: key) else { return nil }
        return String(data: plain, encoding: .utf8)
    }

    static func hex(_ text: Substring) -> Data? {
        guard text.count % 2 == 0 else { return nil }
        var data = Data()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            data.append(byte)
            index = next
        }
        return data
    }
}
