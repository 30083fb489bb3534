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

        /// The first header named `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// The value of the `agentim_rt` cookie this reply sets ("" when it clears it).
        var refreshCookie: String? {
            guard let cookie = header("Set-Cookie"), cookie.hasPrefix("agentim_rt=") else { return nil }
            return String(cookie.dropFirst("agentim_rt=".count).prefix { $0 != ";" })
        }
    }

    static func get(_ url: String, token: String? = nil, timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        try await send("GET", url, body: nil, token: token, timeout: timeout)
    }

    static func post(_ url: String, json: String?, token: String? = nil) async throws -> Reply {
        try await send("POST", url, body: json, token: token)
    }

    static func put(_ url: String, json: String?, token: String? = nil) async throws -> Reply {
        try await send("PUT", url, body: json, token: token)
    }

    static func delete(_ url: String, token: String? = nil) async throws -> Reply {
        try await send("DELETE", url, body: nil, token: token)
    }

    static func send(_ method: String, _ url: String, body: String?, token: String?, headers: [String: String] = [:],
                     timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))) ?? .string(String(buffer: bytes))
        return Reply(status: Int(response.status.code), body: value, headers: response.headers.map { ($0.name, $0.value) })
    }
}
