import AgentIMCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// A tiny JSON-over-HTTP client for the tests (AsyncHTTPClient underneath).
enum HTTP {
    struct Reply: Sendable {
        var status: Int
        var body: JSONValue
        var headers: [(String, String)]

        subscript(_ key: String) -> JSONValue? { body[key] }
        var data: JSONValue? { body["data"] }
        var error: String? { body["error"]?.stringValue }
    }

    static func get(_ url: String, token: String? = nil) async throws -> Reply {
        try await send("GET", url, body: nil, token: token)
    }

    static func post(_ url: String, json: String?, token: String? = nil) async throws -> Reply {
        try await send("POST", url, body: json, token: token)
    }

    static func send(_ method: String, _ url: String, body: String?, token: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))) ?? .string(String(buffer: bytes))
        return Reply(status: Int(response.status.code), body: value, headers: response.headers.map { ($0.name, $0.value) })
    }
}
