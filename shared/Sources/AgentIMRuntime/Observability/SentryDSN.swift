import AgentIMCore
import Foundation

/// A Sentry DSN, `scheme://public_key[:secret]@host[:port]/[path/]project_id`, and where its
/// events go: the envelope endpoint `…/[path/]api/<project_id>/envelope/`, authenticated by
/// the `X-Sentry-Auth` header with the public key.
public struct SentryDSN: Sendable, Equatable {
    public let raw: String
    public let publicKey: String
    public let projectID: String
    public let envelopeURL: String

    /// Nil for an empty value (Sentry off); `ConfigError` naming `variable` for one that is not a DSN.
    public init?(_ raw: String, variable: String = "SENTRY_DSN") throws {
        let raw = raw.trimmingCharacters(in: .whitespaces)
        if raw.isEmpty { return nil }
        let refusal = ConfigError("\(variable) must be a Sentry DSN like https://<key>@<host>/<project>")
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, let key = url.user, !key.isEmpty else { throw refusal }
        var segments = url.path.split(separator: "/").map(String.init)
        guard let project = segments.popLast(), !project.isEmpty, project.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw refusal }
        let port = url.port.map { ":\($0)" } ?? ""
        let prefix = segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
        self.raw = raw
        publicKey = key
        projectID = project
        envelopeURL = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)\(port)\(prefix)/api/\(project)/envelope/"
    }

    /// `X-Sentry-Auth`: the protocol version, the client and the public key.
    public var authHeader: String {
        "Sentry sentry_version=7, sentry_client=agentim/1.0, sentry_key=\(publicKey)"
    }
}
