import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The three REST calls the CLI makes (agent-cli.md §7.1, http-api.md §3.1–§3.4).
public struct HubAPI: Sendable {
    public let baseURL: String
    let client: HTTPClient

    public init(baseURL: String, client: HTTPClient = .shared) {
        self.baseURL = baseURL
        self.client = client
    }

    public struct TokenPair: Sendable, Equatable { public var accessToken: String; public var refreshToken: String }

    public enum LoginResult: Sendable, Equatable {
        case tokens(TokenPair)
        case totpRequired(totpToken: String)
    }

    /// HTTP answer of a call: status and the parsed envelope.
    struct Answer { let status: Int; let body: JSON? }

    func post(_ path: String, _ body: [String: String], timeout: TimeAmount = .seconds(10)) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: JSON.text(body)))
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), body: try? JSONDecoder().decode(JSON.self, from: Data(buffer: bytes)))
    }

    static func pair(_ data: JSON?) -> TokenPair? {
        guard let access = data?["accessToken"]?.stringValue, let refresh = data?["refreshToken"]?.stringValue else { return nil }
        return TokenPair(accessToken: access, refreshToken: refresh)
    }

    static func failure(_ answer: Answer) -> CLIError {
        if !(200..<300).contains(answer.status) {
            if let error = answer.body?["error"]?.stringValue { return CLIError("Login failed: \(answer.status) \(error)") }
            return CLIError("Login failed: \(answer.status)")
        }
        return CLIError("Login failed: \(answer.body?["error"]?.stringValue ?? "unexpected answer")")
    }

    public func login(username: String, password: String) async throws -> LoginResult {
        let answer = try await post("/api/auth/login", ["username": username, "password": password])
        guard (200..<300).contains(answer.status), case .bool(true)? = answer.body?["ok"], let data = answer.body?["data"] else { throw Self.failure(answer) }
        if data["totpRequired"] == .bool(true) || data["requiresTotp"] == .bool(true), let challenge = data["totpToken"]?.stringValue {
            return .totpRequired(totpToken: challenge)
        }
        guard let pair = Self.pair(data) else { throw Self.failure(answer) }
        return .tokens(pair)
    }

    public func verifyTOTP(totpToken: String, code: String) async throws -> TokenPair {
        let answer = try await post("/api/auth/verify-totp", ["totpToken": totpToken, "code": code])
        guard (200..<300).contains(answer.status), case .bool(true)? = answer.body?["ok"], let pair = Self.pair(answer.body?["data"]) else { throw Self.failure(answer) }
        return pair
    }

    public enum RefreshOutcome: Sendable, Equatable {
        case tokens(TokenPair)
        /// 4xx other than 408/429: the refresh token is no good.
        case rejected(status: Int)
        /// 5xx, 408, 429, network error or `ok:false`: worth retrying.
        case retry(String)
    }

    public func refresh(refreshToken: String) async -> RefreshOutcome {
        do {
            let answer = try await post("/api/auth/refresh", ["refreshToken": refreshToken])
            if (400..<500).contains(answer.status), answer.status != 408, answer.status != 429 { return .rejected(status: answer.status) }
            guard (200..<300).contains(answer.status), case .bool(true)? = answer.body?["ok"], let pair = Self.pair(answer.body?["data"]) else {
                return .retry("status \(answer.status)")
            }
            return .tokens(pair)
        } catch {
            return .retry("\(error)")
        }
    }
}
