import AgentIMCore
import Crypto
import Foundation
import Testing

/// A single-process hub on a database the test can reach directly (to shape rows, or to
/// start another process on the same data).
struct AuthHub {
    static let encryptionKey = "an-encryption-key-for-the-auth-tests-0123456789"

    let process: HubProcess
    let database: String
    var base: String { process.baseURL }

    static func start(database: String? = nil, extra: [String: String] = [:]) async throws -> AuthHub {
        let database = try database ?? TestEnvironment.freshDatabase()
        var env = ["DATABASE_URL": database, "ENCRYPTION_KEY": encryptionKey]
        for (key, value) in extra { env[key] = value }
        return AuthHub(process: try await SingleProcessHubTests.startHub(extra: env), database: database)
    }

    func stop() { process.stop() }
    func stopGracefully() { process.stopGracefully() }

    @discardableResult
    func sql(_ statement: String) throws -> String { try TestEnvironment.psql(database, statement) }
}

/// A logged-in session as the login answer gives it.
struct Session {
    var accessToken: String
    var refreshToken: String
    var userId: String
}

/// Calls the auth endpoints the way the web and CLI do.
enum AuthClient {
    static let adminPassword = ChatScenario.adminPassword

    static func loginReply(_ base: String, _ username: String, _ password: String) async throws -> HTTP.Reply {
        try await HTTP.post(base + "/api/auth/login", json: json(["username": username, "password": password]))
    }

    static func login(_ base: String, _ username: String, _ password: String) async throws -> Session {
        let reply = try await loginReply(base, username, password)
        #expect(reply.status == 200, "login \(username): \(reply.body)")
        return Session(accessToken: try #require(reply.data?["accessToken"]?.stringValue),
                       refreshToken: try #require(reply.data?["refreshToken"]?.stringValue),
                       userId: try #require(reply.data?["user"]?["id"]?.stringValue))
    }

    static func admin(_ base: String) async throws -> Session {
        try await login(base, "admin", adminPassword)
    }

    /// Creates a user through the admin API; returns its id.
    @discardableResult
    static func createUser(_ base: String, admin: String, _ username: String, password: String, role: String = "user") async throws -> String {
        let reply = try await HTTP.post(base + "/api/users", json: json(["username": username, "password": password, "role": role]), token: admin)
        #expect(reply.status == 200, "create \(username): \(reply.body)")
        return try #require(reply.data?["id"]?.stringValue)
    }

    static func refresh(_ base: String, body token: String) async throws -> HTTP.Reply {
        try await HTTP.post(base + "/api/auth/refresh", json: json(["refreshToken": token]))
    }

    static func refresh(_ base: String, cookie token: String, origin: String? = nil) async throws -> HTTP.Reply {
        var headers = ["Cookie": "agentim_rt=\(token)"]
        if let origin { headers["Origin"] = origin }
        return try await HTTP.send("POST", base + "/api/auth/refresh", body: nil, token: nil, headers: headers)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The claims of a JWT, decoded without checking it.
    static func claims(_ token: String) -> JSONValue? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: base64URL(parts[1]))
    }

    static func header(_ token: String) -> JSONValue? {
        guard let first = token.split(separator: ".").first else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: base64URL(first))
    }

    static func base64URL(_ text: Substring) -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64) ?? Data()
    }

    /// Waits until `condition` holds, polling every 50 ms; returns how long it took, or nil.
    static func within(_ limit: Duration, _ condition: () async throws -> Bool) async rethrows -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if try await condition() { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}

/// RFC 6238 codes, computed independently of the hub's implementation.
enum Authenticator {
    static func code(base32 secret: String, at date: Date = Date()) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bytes: [UInt8] = []
        var buffer = 0, bits = 0
        for char in secret {
            guard let value = alphabet.firstIndex(of: char) else { continue }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> bits) & 0xFF))
            }
        }
        var counter = UInt64(date.timeIntervalSince1970 / 30).bigEndian
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: Data(bytes: &counter, count: 8), using: SymmetricKey(data: bytes)))
        let offset = Int(mac[19] & 0x0F)
        let value = (Int(mac[offset] & 0x7F) << 24 | Int(mac[offset + 1]) << 16 | Int(mac[offset + 2]) << 8 | Int(mac[offset + 3])) % 1_000_000
        return String(format: "%06d", value)
    }
}
