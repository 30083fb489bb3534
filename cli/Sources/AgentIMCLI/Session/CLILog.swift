import Foundation

/// Log lines to stderr (the daemon's log file), every line through the secret redaction.
public struct CLILog: Sendable {
    public enum Level: Int, Sendable, Comparable {
        case debug, info, warn, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }
    public let minimum: Level

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        switch environment["LOG_LEVEL"]?.lowercased() {
        case "debug": minimum = .debug
        case "warn": minimum = .warn
        case "error", "fatal": minimum = .error
        default: minimum = .info
        }
    }

    public init(minimum: Level) { self.minimum = minimum }

    public func debug(_ text: @autoclosure () -> String) { emit(.debug, text()) }
    public func info(_ text: @autoclosure () -> String) { emit(.info, text()) }
    public func warn(_ text: @autoclosure () -> String) { emit(.warn, text()) }
    public func error(_ text: @autoclosure () -> String) { emit(.error, text()) }

    private func emit(_ level: Level, _ text: String) {
        guard level >= minimum else { return }
        let stamp = ISO8601DateFormatter().string(from: Date())
        let line = "\(stamp) [\(level)] \(LogRedaction.redact(text))\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// Redaction for log lines: the §20.2 patterns plus JWTs (our own tokens).
public enum LogRedaction {
    private static let rules: [(NSRegularExpression, String)] = [
        (#"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"#, "••••••", []),
        (#"\b(sk-[a-zA-Z0-9]{20,})"#, "sk-••••••", []),
        (#"\b(key-[a-zA-Z0-9]{20,})"#, "key-••••••", []),
        (#"(Bearer\s+)[a-zA-Z0-9._-]{20,}"#, "$1••••••", [.caseInsensitive]),
        (#"(Authorization:\s*)[^\s]+"#, "$1••••••", [.caseInsensitive]),
        (#"(api[_-]?key|token|secret|password|credential)[\s=:]+\S+"#, "$1=••••••", [.caseInsensitive]),
    ].map { (try! NSRegularExpression(pattern: $0.0, options: $0.2), $0.1) }

    public static func redact(_ text: String) -> String {
        var out = text
        for (regex, template) in rules {
            out = regex.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
        }
        return out
    }
}
