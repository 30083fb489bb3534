import Foundation

/// Typed reads of environment variables with the original hub's parsing rules
/// (data-config-security §2.1): strings use any defined value (even empty), integers
/// parse a leading base-10 number and fall back to the default, booleans are true only
/// for the exact string `true`.
public struct Environment: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    public static var process: Environment {
        Environment(ProcessInfo.processInfo.environment)
    }

    public func string(_ key: String) -> String? { values[key] }

    public func string(_ key: String, default fallback: String) -> String {
        values[key] ?? fallback
    }

    /// A value that counts only when non-empty.
    public func nonEmpty(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    public func int(_ key: String, default fallback: Int, clamp range: ClosedRange<Int>? = nil) -> Int {
        var result = fallback
        if let raw = values[key], let parsed = Environment.parseLeadingInt(raw) { result = parsed }
        if let range { result = min(max(result, range.lowerBound), range.upperBound) }
        return result
    }

    public func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let raw = values[key] else { return fallback }
        return raw == "true"
    }

    /// JavaScript `parseInt(x, 10)`: optional whitespace and sign, then digits; nil when none.
    static func parseLeadingInt(_ raw: String) -> Int? {
        let trimmed = raw.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })
        var digits = ""
        var sign = 1
        var rest = Substring(trimmed)
        if let first = rest.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        for ch in rest {
            guard ch.isASCII, ch.isNumber else { break }
            digits.append(ch)
        }
        guard !digits.isEmpty, let value = Int(digits.prefix(18)) else { return nil }
        return sign * value
    }
}

