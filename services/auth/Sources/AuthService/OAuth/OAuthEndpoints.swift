import AgentIMCore
import Foundation

/// The sign-in providers of http-api §4, in the order `GET /api/auth/oauth/providers` lists them.
enum OAuthProvider: String, CaseIterable, Sendable {
    case github, google

    /// The settings that hold this provider's client credentials (data-config-security §2.4).
    var clientIdKey: String { "oauth.\(rawValue).clientId" }
    var clientSecretKey: String { "oauth.\(rawValue).clientSecret" }

    var scopes: String {
        switch self {
        case .github: "read:user user:email"
        case .google: "openid email profile"
        }
    }
}

/// Where each provider's endpoints are. GitHub's and Google's public endpoints by default;
/// each base can be moved by an environment variable (GitHub Enterprise, a test's local
/// provider), read and checked once at start so that a bad URL stops the process:
///
/// | variable | default | used for |
/// |---|---|---|
/// | `OAUTH_GITHUB_BASE_URL` | `https://github.com` | `<base>/login/oauth/authorize`, `<base>/login/oauth/access_token` |
/// | `OAUTH_GITHUB_API_URL` | `https://api.github.com` | `<api>/user`, `<api>/user/emails` |
/// | `OAUTH_GOOGLE_AUTH_URL` | `https://accounts.google.com/o/oauth2/v2/auth` | the authorise page |
/// | `OAUTH_GOOGLE_TOKEN_URL` | `https://oauth2.googleapis.com/token` | the code exchange |
/// | `OAUTH_GOOGLE_USERINFO_URL` | `https://www.googleapis.com/oauth2/v2/userinfo` | the profile |
struct OAuthEndpoints: Sendable, Equatable {
    var githubBase: String
    var githubAPI: String
    var googleAuth: String
    var googleToken: String
    var googleUserInfo: String

    static let variables: [(name: String, defaultValue: String)] = [
        ("OAUTH_GITHUB_BASE_URL", "https://github.com"),
        ("OAUTH_GITHUB_API_URL", "https://api.github.com"),
        ("OAUTH_GOOGLE_AUTH_URL", "https://accounts.google.com/o/oauth2/v2/auth"),
        ("OAUTH_GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token"),
        ("OAUTH_GOOGLE_USERINFO_URL", "https://www.googleapis.com/oauth2/v2/userinfo"),
    ]

    /// Reads the variables; an unset or empty one takes its default. Throws `ConfigError`
    /// naming the variable when a value is not an absolute http(s) URL without query or fragment.
    init(environment: Environment) throws {
        var values: [String] = []
        for (name, defaultValue) in Self.variables {
            let raw = environment.nonEmpty(name) ?? defaultValue
            guard let url = Self.validated(raw) else {
                throw ConfigError("\(name) must be an absolute http(s) URL without query or fragment, got \"\(raw)\"")
            }
            values.append(url)
        }
        githubBase = values[0]
        githubAPI = values[1]
        googleAuth = values[2]
        googleToken = values[3]
        googleUserInfo = values[4]
    }

    /// The URL without a trailing slash, or nil when it is not usable as an endpoint base.
    static func validated(_ raw: String) -> String? {
        guard let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil, components.password == nil,
              !raw.contains(where: { $0.isWhitespace }) else { return nil }
        var url = raw
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    func authorizeURL(_ provider: OAuthProvider) -> String {
        switch provider {
        case .github: githubBase + "/login/oauth/authorize"
        case .google: googleAuth
        }
    }

    func tokenURL(_ provider: OAuthProvider) -> String {
        switch provider {
        case .github: githubBase + "/login/oauth/access_token"
        case .google: googleToken
        }
    }
}
