import AgentIMCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Who signed in at the provider, as far as the hub keeps it (`oauth_accounts` columns).
struct OAuthProfile: Sendable, Equatable {
    var providerAccountId: String
    var email: String?
    var displayName: String?
    var avatarUrl: String?
    var accessToken: String
    var refreshToken: String?
}

/// Why a code exchange failed; logged, never shown (the browser gets `oauth_failed`).
struct OAuthExchangeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The authorization-code exchange and the profile calls (GitHub: `/user` and
/// `/user/emails`; Google: userinfo). Every answer is untrusted input: bounded in size and
/// time, parsed as JSON, each field checked for type and length, redirects refused.
struct OAuthProviderClient: Sendable {
    static let timeout: Duration = .seconds(10)
    static let maxBody = 256 * 1024
    static let maxToken = 4096

    /// One pool for the process's calls to providers; it lives as long as the process.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        configuration.decompression = .enabled(limit: .size(maxBody))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    let endpoints: OAuthEndpoints

    func exchange(_ provider: OAuthProvider, code: String, redirectUri: String, clientId: String, clientSecret: String) async throws -> OAuthProfile {
        var form = ["client_id": clientId, "client_secret": clientSecret, "code": code, "redirect_uri": redirectUri]
        if provider == .google { form["grant_type"] = "authorization_code" }
        let (status, answer) = try await call(endpoints.tokenURL(provider), form: form)
        // GitHub answers a refused code with 200 and `error`; Google with 400 and `error`.
        if let error = answer["error"]?.stringValue { throw OAuthExchangeError("token endpoint refused the code: \(error.prefix(100))") }
        guard status == 200 else { throw OAuthExchangeError("token endpoint answered \(status)") }
        guard let accessToken = Self.token(answer["access_token"]) else { throw OAuthExchangeError("token answer has no usable access_token") }
        var profile = try await fetchProfile(provider, accessToken: accessToken)
        profile.refreshToken = Self.token(answer["refresh_token"])
        return profile
    }

    private func fetchProfile(_ provider: OAuthProvider, accessToken: String) async throws -> OAuthProfile {
        switch provider {
        case .github:
            async let user = call(endpoints.githubAPI + "/user", bearer: accessToken)
            async let emails = call(endpoints.githubAPI + "/user/emails", bearer: accessToken)
            let (userStatus, userAnswer) = try await user
            guard userStatus == 200 else { throw OAuthExchangeError("GitHub /user answered \(userStatus)") }
            guard case .number(let id)? = userAnswer["id"], id >= 1, id <= 9_007_199_254_740_991, id.rounded() == id else {
                throw OAuthExchangeError("GitHub /user has no numeric id")
            }
            let login = Self.text(userAnswer["login"], max: 100)
            // The email list is optional (scope not granted, or an error): the sign-in goes on without it.
            let email = (try? await emails).flatMap { $0.status == 200 ? Self.githubEmail($0.answer) : nil }
            return OAuthProfile(providerAccountId: String(Int64(id)), email: email,
                                displayName: Self.text(userAnswer["name"], max: 200) ?? login,
                                avatarUrl: Self.url(userAnswer["avatar_url"]), accessToken: accessToken)
        case .google:
            let (status, answer) = try await call(endpoints.googleUserInfo, bearer: accessToken)
            guard status == 200 else { throw OAuthExchangeError("Google userinfo answered \(status)") }
            // v2 userinfo calls the account `id`; the OpenID Connect endpoint calls it `sub`.
            guard let id = Self.text(answer["id"], max: 255) ?? Self.text(answer["sub"], max: 255),
                  id.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw OAuthExchangeError("Google userinfo has no account id")
            }
            return OAuthProfile(providerAccountId: id, email: Self.email(answer["email"]),
                                displayName: Self.text(answer["name"], max: 200), avatarUrl: Self.url(answer["picture"]),
                                accessToken: accessToken)
        }
    }

    /// The primary verified address, else the first verified one.
    static func githubEmail(_ answer: JSONValue) -> String? {
        guard let list = answer.arrayValue else { return nil }
        let verified = list.prefix(100).filter { $0["verified"] == .bool(true) }
        let chosen = verified.first { $0["primary"] == .bool(true) } ?? verified.first
        return chosen.flatMap { email($0["email"]) }
    }

    // MARK: Field checks

    static func text(_ value: JSONValue?, max: Int) -> String? {
        guard let raw = value?.stringValue else { return nil }
        let trimmed = String(raw.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }).trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        return String(trimmed.prefix(max))
    }

    static func token(_ value: JSONValue?) -> String? {
        guard let raw = value?.stringValue, !raw.isEmpty, raw.utf8.count <= maxToken,
              raw.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        return raw
    }

    static func email(_ value: JSONValue?) -> String? {
        guard let raw = value?.stringValue, raw.utf8.count <= 320, raw.contains("@"),
              !raw.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return nil }
        return raw
    }

    static func url(_ value: JSONValue?) -> String? {
        guard let raw = value?.stringValue, raw.utf8.count <= 2048, let components = URLComponents(string: raw),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http", components.host != nil else { return nil }
        return raw
    }

    // MARK: HTTP

    private func call(_ url: String, form: [String: String]) async throws -> (status: Int, answer: JSONValue) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let body = form.sorted { $0.key < $1.key }.map { "\(Self.formEncode($0.key))=\(Self.formEncode($0.value))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    private func call(_ url: String, bearer: String) async throws -> (status: Int, answer: JSONValue) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> (status: Int, answer: JSONValue) {
        var request = request
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "AgentIM")
        let response = try await Self.http.execute(request, timeout: .seconds(Self.timeout.components.seconds))
        let status = Int(response.status.code)
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > Self.maxBody {
            throw OAuthExchangeError("\(request.url) answered \(length) bytes, more than \(Self.maxBody)")
        }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: Self.maxBody)
        } catch is NIOTooManyBytesError {
            throw OAuthExchangeError("\(request.url) answered more than \(Self.maxBody) bytes")
        }
        guard let answer = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes)) else {
            throw OAuthExchangeError("\(request.url) answered \(status) with a body that is not JSON")
        }
        return (status, answer)
    }

    /// `application/x-www-form-urlencoded` as URLSearchParams writes it.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-_.*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: "%20", with: "+")
    }
}
