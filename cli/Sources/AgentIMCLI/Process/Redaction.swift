import Foundation

/// Stderr redaction of agent-cli.md §20.2, in the table's order.
public enum StderrRedactor {
    private static let mask = "••••••"

    // Built once; the patterns are constants, so `try!` cannot fail at run time.
    nonisolated(unsafe) private static let rules: [(NSRegularExpression, String)] = [
        (#"\b(sk-[a-zA-Z0-9]{20,})"#, [], "sk-\(mask)"),
        (#"\b(key-[a-zA-Z0-9]{20,})"#, [], "key-\(mask)"),
        (#"(Bearer\s+)[a-zA-Z0-9._-]{20,}"#, [.caseInsensitive], "$1\(mask)"),
        (#"(Authorization:\s*)[^\s]+"#, [.caseInsensitive], "$1\(mask)"),
        (#"(api[_-]?key|token|secret|password|credential)[\s=:]+\S+"#, [.caseInsensitive], "$1=\(mask)"),
        (#"/(?:home|Users)/[a-zA-Z0-9._-]+"#, [], "/••••/••••"),
    ].map { pattern, options, template in
        (try! NSRegularExpression(pattern: pattern, options: options), template)
    }

    public static func redact(_ text: String) -> String {
        var out = text
        for (regex, template) in rules {
            out = regex.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
        }
        return out
    }
}

/// Replaces known secret values (the parent's withheld secrets, a credential's key) wherever
/// they appear, so no chunk of any adapter can carry them to the hub.
public struct SecretScrubber: Sendable {
    public let secrets: [String]

    /// Values shorter than 8 characters are ignored: masking them would mangle ordinary text.
    public init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 8 })).sorted { $0.count > $1.count }
    }

    /// The secrets an adapter's chunks are scrubbed of: the parent's withheld values and the
    /// secret-looking values of the adapter's own environment (credential keys).
    public static func forAdapter(_ options: AdapterOptions) -> SecretScrubber {
        var values = SafeEnvironment.withheldSecretValues(passEnv: options.passEnv)
        for (key, value) in options.environment where SafeEnvironment.isBlocked(key) || key.hasSuffix("_API_KEY") {
            values.append(value)
        }
        return SecretScrubber(secrets: values)
    }

    public func scrub(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "••••••")
        }
        return out
    }

    public func scrub(_ chunk: AgentChunk) -> AgentChunk {
        var copy = chunk
        copy.content = scrub(chunk.content)
        return copy
    }
}
