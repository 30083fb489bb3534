import AgentIMCore
import AgentIMRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO

/// JSON requests to an in-process service as one signed-in caller, read back the way the
/// end-to-end tests read the hub's answers (status, envelope, `data`, `error`).
struct ServiceClient: Sendable {
    let client: any TestClientProtocol
    let token: String?

    struct Reply: Sendable {
        var status: Int
        var body: JSONValue

        subscript(_ key: String) -> JSONValue? { body[key] }
        var data: JSONValue? { body["data"] }
        var error: String? { body["error"]?.stringValue }
    }

    /// `json` goes as the body with `Content-Type: application/json`; the token, when there
    /// is one, as `Authorization: Bearer`.
    func send(_ method: HTTPRequest.Method, _ path: String, _ json: String? = nil, token: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let bearer = token ?? self.token { headers[.authorization] = "Bearer \(bearer)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
            return Reply(status: Int(response.status.code), body: value)
        }
    }

    /// Inserts a user row with `role` directly (the auth service owns users; others read them).
    static func insertUser(_ runtime: Runtime, id: String, username: String, role: String = "user") async throws {
        guard let database = runtime.database else { throw InProcessSetupError("the runtime has no database") }
        try await database.client.query("""
            INSERT INTO users (id, username, display_name, role, created_at, updated_at)
            VALUES (\(id), \(username), \(username), \(role), now(), now())
            """, logger: InProcessHub.logger)
    }
}
