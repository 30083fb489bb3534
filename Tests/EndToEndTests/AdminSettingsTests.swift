import AgentIMCore
import Crypto
import Foundation
import Testing

/// `/api/admin/settings` (http-api §13, data-config-security §2.4, §3.9).
@Suite(.serialized)
struct AdminSettingsTests {
    @Test func settingsAreListedValidatedEncryptedAndApplied() async throws {
        let hub = try await AuthHub.start(extra: ["TOTP_ISSUER": "EnvIssuer", "MAX_FILE_SIZE": "10MB"])
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        try await AuthClient.createUser(base, admin: admin.accessToken, "lena", password: "LenaPass12")
        let lena = try await AuthClient.login(base, "lena", "LenaPass12")

        #expect(try await HTTP.get(base + "/api/admin/settings").status == 401)
        #expect(try await HTTP.get(base + "/api/admin/settings", token: lena.accessToken).status == 403)
        #expect(try await HTTP.put(base + "/api/admin/settings", json: "{}", token: lena.accessToken).status == 403)

        let listed = try await HTTP.get(base + "/api/admin/settings", token: admin.accessToken)
        #expect(listed.status == 200)
        let groups = try #require(listed.data?.objectValue)
        #expect(Set(groups.keys) == ["general", "security", "storage", "rateLimit", "connections", "aiRouter", "pushNotifications", "maintenance"])
        #expect(groups.values.reduce(0) { $0 + ($1.arrayValue?.count ?? 0) } == 42)
        let raw = try await HTTP.send("GET", base + "/api/admin/settings", body: nil, token: admin.accessToken)
        func item(_ reply: HTTP.Reply, _ group: String, _ key: String) -> JSONValue? {
            reply.data?[group]?.arrayValue?.first { $0["key"] == .string(key) }
        }
        #expect(item(raw, "storage", "storage.provider") == .object([
            "key": .string("storage.provider"), "value": .string("local"), "type": .string("enum"), "sensitive": .bool(false),
            "enumValues": .array(["local", "s3"].map(JSONValue.string)),
            "labelKey": .string("adminSettings.storageProvider"), "descKey": .string("adminSettings.storageProviderDesc"),
            "source": .string("default"), "applies": .string("restart"),
        ]))
        #expect(item(raw, "general", "log.level")?["applies"] == .string("live"))
        #expect(item(raw, "general", "log.level")?["source"] == .string("env"), "the test harness sets LOG_LEVEL")
        #expect(item(raw, "storage", "upload.maxFileSize")?["min"] == .number(1024))
        #expect(item(raw, "security", "totp.issuer")?["value"] == .string("EnvIssuer"))
        #expect(item(raw, "security", "totp.issuer")?["source"] == .string("env"))
        #expect(item(raw, "storage", "upload.maxFileSize")?["value"] == .string("1024"), "10MB reads as 10, clamped, never NaN")
        #expect(item(raw, "general", "cors.origin")?["value"] == .string("http://localhost:5173"))

        #expect(try await HTTP.put(base + "/api/admin/settings", json: #"{"changes":"x"}"#, token: admin.accessToken).error == #"Missing "changes" object"#)
        #expect(try await HTTP.put(base + "/api/admin/settings", json: "{}", token: admin.accessToken).error == #"Missing "changes" object"#)
        #expect(try await HTTP.put(base + "/api/admin/settings", json: "nope", token: admin.accessToken).error == "Invalid JSON body")

        // Each key on its own: the good ones are saved even when others fail.
        let mixed = try await HTTP.put(base + "/api/admin/settings", json: """
            {"changes":{"no.such":"1","ws.maxTotalConnections":5,"trust.proxy":"yes","totp.issuer":"Team Hub",
                        "log.level":"loud","upload.maxFileSize":"abc","ws.maxMessageSize":2048,"cors.origin":"*"}}
            """, token: admin.accessToken)
        #expect(mixed.status == 400)
        #expect(mixed["ok"] == .bool(false))
        #expect(mixed.error == """
            Unknown setting: no.such; ws.maxTotalConnections: minimum is 10; trust.proxy: must be "true" or "false"; \
            log.level: must be one of debug, info, warn, error, fatal; upload.maxFileSize: must be a number; \
            cors.origin: the wildcard "*" is not allowed
            """)
        #expect(mixed.data == .object(["updated": .array([.string("totp.issuer"), .string("ws.maxMessageSize")])]))

        let secret = "sk-test-0123456789"
        let saved = try await HTTP.put(base + "/api/admin/settings", json: """
            {"changes":{"router.llm.apiKey":"\(secret)","jwt.accessExpiry":"20m","trust.proxy":true,"oauth.github.clientSecret":""}}
            """, token: admin.accessToken)
        #expect(saved.status == 200)
        #expect(saved.data == .object(["updated": .array(["router.llm.apiKey", "jwt.accessExpiry", "trust.proxy", "oauth.github.clientSecret"].map(JSONValue.string))]))

        // Sensitive values are sealed at rest with ENCRYPTION_KEY and masked when listed.
        let stored = try hub.sql("SELECT value FROM settings WHERE key = 'router.llm.apiKey'")
        #expect(stored.hasPrefix("enc:") && !stored.contains(secret))
        #expect(try Self.open(stored, key: AuthHub.encryptionKey) == secret)
        #expect(try hub.sql("SELECT value FROM settings WHERE key = 'trust.proxy'") == "true")
        let after = try await HTTP.get(base + "/api/admin/settings", token: admin.accessToken)
        #expect(item(after, "aiRouter", "router.llm.apiKey")?["value"] == .string("sk-t••••••••"))
        #expect(item(after, "aiRouter", "router.llm.apiKey")?["source"] == .string("db"))
        #expect(item(after, "security", "oauth.github.clientSecret")?["value"] == .string(""))
        #expect(item(after, "security", "totp.issuer")?["value"] == .string("Team Hub"))
        #expect(item(after, "security", "totp.issuer")?["source"] == .string("db"))

        // Live: the next token and the next TOTP setup use the new values.
        let session = try await AuthClient.login(base, "lena", "LenaPass12")
        let claims = try #require(AuthClient.claims(session.accessToken))
        #expect(claims["exp"]!.numberValue! - claims["iat"]!.numberValue! == 1200)
        let setup = try await HTTP.post(base + "/api/auth/setup-totp", json: nil, token: session.accessToken)
        #expect(setup.data?["uri"]?.stringValue?.hasPrefix("otpauth://totp/Team%20Hub:lena?issuer=Team%20Hub&") == true)
        #expect(try hub.sql("SELECT metadata::text FROM audit_logs WHERE action = 'setting_update' ORDER BY created_at LIMIT 1")
                == #"{"keys": ["totp.issuer", "ws.maxMessageSize"]}"#)

        // A row that no longer decrypts (the key changed) is ignored: the default applies.
        hub.stopGracefully()
        let rekeyed = try await AuthHub.start(database: hub.database, extra: ["ENCRYPTION_KEY": "a-different-encryption-key-0123456789abcdef"])
        defer { rekeyed.stop() }
        let relisted = try await HTTP.get(rekeyed.base + "/api/admin/settings", token: try await AuthClient.admin(rekeyed.base).accessToken)
        #expect(item(relisted, "aiRouter", "router.llm.apiKey")?["source"] == .string("default"))
        #expect(item(relisted, "aiRouter", "router.llm.apiKey")?["value"] == .string(""))
    }

    /// Opens the secret envelope independently: SHA-256 of the key string (it is not base64 of 32 bytes).
    static func open(_ envelope: String, key: String) throws -> String {
        let parts = envelope.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func bytes(_ hex: String) -> Data {
            Data(stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! })
        }
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: bytes(parts[1])), ciphertext: bytes(parts[2]), tag: bytes(parts[3]))
        let plain = try AES.GCM.open(box, using: SymmetricKey(data: SHA256.hash(data: Data(key.utf8))))
        return String(decoding: plain, as: UTF8.self)
    }
}
