import AgentIMCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

/// `fake_oauth.py` as a real local HTTP server: GitHub's and Google's authorization-code
/// flow and profile endpoints, with the profile each code stands for chosen by the test.
final class FakeOAuthProvider: @unchecked Sendable {
    static let clientId = "test-client-id"
    static let clientSecret = "test-client-secret-0123456789"

    let process = Process()
    let port: Int

    init() async throws {
        port = TestEnvironment.freePort()
        try await PythonHelper.start(process, script: "fake_oauth.py", port: port, arguments: [Self.clientId, Self.clientSecret], readyPath: "/log",
                                     failure: "fake_oauth.py did not start on port \(port)")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The hub's environment for both providers pointing here, with the test client credentials.
    var hubEnvironment: [String: String] {
        ["OAUTH_GITHUB_CLIENT_ID": Self.clientId, "OAUTH_GITHUB_CLIENT_SECRET": Self.clientSecret,
         "OAUTH_GOOGLE_CLIENT_ID": Self.clientId, "OAUTH_GOOGLE_CLIENT_SECRET": Self.clientSecret,
         "OAUTH_GITHUB_BASE_URL": base, "OAUTH_GITHUB_API_URL": base + "/api",
         "OAUTH_GOOGLE_AUTH_URL": base + "/google/auth", "OAUTH_GOOGLE_TOKEN_URL": base + "/google/token",
         "OAUTH_GOOGLE_USERINFO_URL": base + "/google/userinfo"]
    }

    /// Every request the provider received, oldest first.
    func log() async throws -> [JSONValue] { try await HTTP.get(base + "/log").body.arrayValue ?? [] }

    /// SIGKILL: the test runner may hand its children SIGTERM as ignored, and Python keeps that.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A browser's part of the OAuth dance, one redirect at a time (no automatic following),
/// with the cookies it would keep.
enum OAuthBrowser {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    struct Hop {
        var status: Int
        var location: String?
        /// `name=value` of each Set-Cookie, and the whole header.
        var cookies: [(name: String, value: String, header: String)]
        var body: JSONValue

        func cookie(_ name: String) -> (value: String, header: String)? {
            cookies.last { $0.name == name }.map { ($0.value, $0.header) }
        }
    }

    static func get(_ url: String, cookies: [String: String] = [:], headers: [String: String] = [:],
                    method: String = "GET", token: String? = nil) async throws -> Hop {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let body = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))) ?? .string(String(buffer: bytes))
        let cookies = response.headers["Set-Cookie"].map { header -> (String, String, String) in
            let pair = header.prefix { $0 != ";" }.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(pair.first ?? ""), pair.count > 1 ? String(pair[1]) : "", header)
        }
        return Hop(status: Int(response.status.code), location: response.headers.first(name: "Location"), cookies: cookies, body: body)
    }

    /// The profile query the fake provider reads from the authorise URL.
    static func profileQuery(_ profile: [String: Any]) -> String {
        let json = String(decoding: try! JSONSerialization.data(withJSONObject: profile, options: [.sortedKeys]), as: UTF8.self)
        return "&as=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    struct Outcome {
        /// Where the hub's callback sent the browser.
        var location: String
        var refreshCookie: String?
        var callback: Hop
    }

    /// Starts at the hub's `GET /api/auth/oauth/:provider`, lets the provider sign in as
    /// `profile`, and returns what the hub's callback answered. `callbackBase` sends the
    /// callback to another hub process, as a load balancer may (same Host header).
    static func signIn(hub base: String, provider: String, profile: [String: Any], callbackBase: String? = nil) async throws -> Outcome {
        let start = try await get(base + "/api/auth/oauth/\(provider)")
        #expect(start.status == 302, "authorise: \(start.body)")
        let authorize = try #require(start.location)
        let state = try #require(start.cookie("agentim_oauth_state")?.value)
        return try await finish(authorize: authorize, state: state, profile: profile, hub: base, callbackBase: callbackBase)
    }

    /// The provider step and the hub's callback, for a flow started by `signIn` or a link.
    static func finish(authorize: String, state: String, profile: [String: Any], hub base: String, callbackBase: String? = nil,
                       extraQuery: String = "") async throws -> Outcome {
        let atProvider = try await get(authorize + profileQuery(profile) + extraQuery)
        #expect(atProvider.status == 302, "provider: \(atProvider.body)")
        let back = try #require(atProvider.location)
        let path = String(back.dropFirst(base.count))
        var headers: [String: String] = [:]
        if callbackBase != nil { headers["Host"] = String(base.dropFirst("http://".count)) }
        let callback = try await get((callbackBase ?? base) + path, cookies: ["agentim_oauth_state": state], headers: headers)
        #expect(callback.status == 302)
        return Outcome(location: callback.location ?? "", refreshCookie: callback.cookie("agentim_rt")?.value, callback: callback)
    }

    /// Trades the refresh cookie for an access token and returns `GET /api/users/me`.
    static func me(_ base: String, refreshCookie: String) async throws -> (token: String, user: JSONValue) {
        let refreshed = try await AuthClient.refresh(base, cookie: refreshCookie)
        #expect(refreshed.status == 200, "refresh: \(refreshed.body)")
        let token = try #require(refreshed.data?["accessToken"]?.stringValue)
        let me = try await HTTP.get(base + "/api/users/me", token: token)
        return (token, try #require(me.data))
    }
}
