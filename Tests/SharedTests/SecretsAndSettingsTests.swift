import AgentIMCore
import AgentIMRuntime
import AgentIMSecrets
import Foundation
import Logging
import Testing

/// The secret envelope against vectors made with another AES-GCM implementation
/// (Python's `cryptography`), and the settings registry's rules.
struct SecretEnvelopeTests {
    @Test func aBase64KeyOf32BytesIsUsedRaw() throws {
        let box = SecretBox(encryptionKey: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
        #expect(box.open("enc:000102030405060708090a0b:3469fb77ac93a736fe24f4f9d49d:ecb5b3cd3d321fa01c86c6fdad80ea67") == "sk-live-secret")
        let unpadded = SecretBox(encryptionKey: "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM")
        #expect(unpadded.open("enc:000102030405060708090a0b:e7:85eff1f83c959b1f3275579f47bcbea5") == "x")
    }

    @Test func anyOtherKeyIsHashedWithSHA256() {
        // 64 hex characters decode as base64 to 48 bytes, so they take the SHA-256 path.
        let box = SecretBox(encryptionKey: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        #expect(box.open("enc:000102030405060708090a0b:e0b807c3811c:b37a6f4e1398fff704fe07fad3d96db3") == "héllo")
    }

    @Test func sealOpenAndTheFailureCases() throws {
        let box = SecretBox(encryptionKey: "a-long-enough-encryption-key-for-tests-0123")
        let sealed = try box.seal("secret value")
        let parts = sealed.split(separator: ":", omittingEmptySubsequences: false)
        #expect(parts.count == 4 && parts[0] == "enc" && parts[1].count == 24 && parts[3].count == 32)
        #expect(try box.seal("secret value") != sealed, "a fresh IV every time")
        #expect(box.open(sealed) == "secret value")
        #expect(box.open(try box.seal("")) == "")
        #expect(box.open("plain text from before a key was set") == "plain text from before a key was set")
        #expect(SecretBox(encryptionKey: "another-key-entirely-0123456789-abcdef").open(sealed) == nil)
        #expect(box.open(String(sealed.dropLast(2)) + "00") == nil, "a changed tag fails authentication")
        #expect(box.open("enc:00:11") == nil)
        let keyless = SecretBox(encryptionKey: nil)
        #expect(try keyless.seal("x") == "x")
        #expect(keyless.open(sealed) == nil)
    }

    @Test func lenientBase64FollowsNode() {
        #expect(SecretBox.lenientBase64("aGVsbG8=") == Data("hello".utf8))
        #expect(SecretBox.lenientBase64("aGVs bG8") == Data("hello".utf8), "characters outside the alphabet are skipped")
        #expect(SecretBox.lenientBase64("aGVsbG8=trailing") == Data("hello".utf8), "decoding stops at the first =")
        #expect(SecretBox.lenientBase64("-_-_") == SecretBox.lenientBase64("+/+/"))
        #expect(SecretBox.lenientBase64(String(repeating: "0", count: 64)).count == 48)
    }
}

struct SettingsRegistryTests {
    @Test func theRegistryHasTheSpecs42Keys() {
        let keys = SettingsRegistry.all.map(\.key)
        #expect(keys.count == 42)
        #expect(Set(keys).count == 42)
        #expect(SettingsRegistry.all.filter(\.sensitive).map(\.key) == [
            "oauth.github.clientSecret", "oauth.google.clientSecret", "storage.s3.accessKeyId", "storage.s3.secretAccessKey",
            "router.llm.apiKey", "push.vapidPrivateKey",
        ])
        let timeout = SettingsRegistry.definition("router.llm.timeout")
        #expect(timeout?.labelKey == "adminSettings.routerLlmTimeout" && timeout?.descKey == "adminSettings.routerLlmTimeoutDesc")
        #expect(SettingsRegistry.definition("metrics.authEnabled")?.defaultValue(production: true) == "true")
        #expect(SettingsRegistry.definition("metrics.authEnabled")?.defaultValue(production: false) == "false")
    }

    @Test func valuesAreCheckedWithTheOriginalsMessages() throws {
        let size = try #require(SettingsRegistry.definition("upload.maxFileSize"))
        #expect(size.problem(with: "10MB") == "upload.maxFileSize: must be a number")
        #expect(size.problem(with: "100") == "upload.maxFileSize: minimum is 1024")
        #expect(size.problem(with: "104857601") == "upload.maxFileSize: maximum is 104857600")
        #expect(size.problem(with: " 2048 ") == nil)
        #expect(size.problem(with: "0x800") == nil)
        #expect(size.problem(with: "2e3") == nil)
        #expect(size.problem(with: "Infinity") == "upload.maxFileSize: maximum is 104857600")
        #expect(SettingsRegistry.definition("trust.proxy")?.problem(with: "TRUE") == #"trust.proxy: must be "true" or "false""#)
        #expect(SettingsRegistry.definition("log.level")?.problem(with: "loud") == "log.level: must be one of debug, info, warn, error, fatal")
        let cors = try #require(SettingsRegistry.definition("cors.origin"))
        #expect(cors.problem(with: "") == nil)
        #expect(cors.problem(with: "https://a.example.com, http://localhost:5173") == nil)
        #expect(cors.problem(with: "*") != nil)
        #expect(cors.problem(with: "https://a.example.com/app") != nil)
        #expect(cors.problem(with: "ftp://a.example.com") != nil)
        #expect(SettingsRegistry.definition("jwt.accessExpiry")?.problem(with: "soon") != nil)
        #expect(SettingsRegistry.definition("jwt.accessExpiry")?.problem(with: "30m") == nil)
    }

    @Test func environmentValuesNeverBecomeNaN() throws {
        let size = try #require(SettingsRegistry.definition("upload.maxFileSize"))
        #expect(SettingsRegistry.definition("ws.maxConnectionsPerUser")?.valueFromEnvironment("10conns") == "10",
                "leading digits, as the other integer variables")
        #expect(size.valueFromEnvironment("10MB") == "1024", "then clamped into range")
        #expect(size.valueFromEnvironment("lots") == nil, "unreadable: the default applies")
        #expect(size.valueFromEnvironment("") == nil)
        #expect(SettingsRegistry.definition("trust.proxy")?.valueFromEnvironment("1") == "false")
        #expect(SettingsRegistry.definition("log.level")?.valueFromEnvironment("loud") == nil)
    }

    @Test func jsNumberMatchesJavaScript() {
        #expect(JSNumber.parse("") == 0)
        #expect(JSNumber.parse("  42\n") == 42)
        #expect(JSNumber.parse("-1.5e2") == -150)
        #expect(JSNumber.parse(".5") == 0.5)
        #expect(JSNumber.parse("0b101") == 5)
        #expect(JSNumber.parse("12px") == nil)
        #expect(JSNumber.parse("nan") == nil)
        #expect(JSNumber.parse("inf") == nil)
        #expect(JSNumber.parse("1e") == nil)
    }

    @Test func objectKeysComeBackInDocumentOrder() {
        let body = Data(#"{"x":[1,{"a":2}],"changes":{"zeta":"1","alpha":{"n":"}"},"mid\"dle":true,"zeta":2}}"#.utf8)
        #expect(JSONKeyOrder.keys(in: body, at: ["changes"]) == ["zeta", "alpha", "mid\"dle"])
        #expect(JSONKeyOrder.keys(in: body, at: []) == ["x", "changes"])
        #expect(JSONKeyOrder.keys(in: body, at: ["x"]) == nil)
        #expect(JSONKeyOrder.keys(in: Data("{broken".utf8), at: []) == nil)
    }
}

/// Number settings are remembered between calls (sockets ask on every frame) and forgotten on
/// every change, so a change through the admin API still takes effect at once.
struct RuntimeSettingsNumberTests {
    @Test func aRememberedNumberFollowsEachChange() {
        let settings = RuntimeSettings(environment: Environment(["CLIENT_RATE_LIMIT_MAX": "40"]), production: false,
                                       secrets: SecretBox(encryptionKey: nil), database: nil, logger: Logger(label: "settings-test"))
        #expect(settings.int("rateLimit.client.max") == 40, "from the environment")
        #expect(settings.int("rateLimit.client.max") == 40)
        settings.apply(["rateLimit.client.max": "55"])
        #expect(settings.int("rateLimit.client.max") == 55, "a stored value wins at once")
        settings.apply([:])
        #expect(settings.int("rateLimit.client.max") == 40, "and back to the environment when it is cleared")
        #expect(settings.int("rateLimit.client.window") == 10, "the default")
    }
}
