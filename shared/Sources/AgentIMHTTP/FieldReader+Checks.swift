import AgentIMCore
import Foundation

/// Strings checked the way the original's validator chains them (`z.string().min(1).max(100)
/// .refine(…)`): every failing check is reported, in order, so `""` yields both the length
/// issue and the whitespace one, as the web client's translator expects.
extension FieldReader {
    public typealias StringCheck = @Sendable (String) -> String?

    /// The string at `key` after `checks`; nil when absent or when any check failed.
    public mutating func checkedString(_ key: String, optional: Bool = false, _ checks: [StringCheck]) -> String? {
        guard let raw = body[key] else {
            if !optional { fail(key, "Required") }
            return nil
        }
        guard case .string(let text) = raw else {
            fail(key, "Expected string, received \(Self.kind(of: raw))")
            return nil
        }
        var passed = true
        for check in checks {
            if let message = check(text) {
                fail(key, message)
                passed = false
            }
        }
        return passed ? text : nil
    }

    public static func minLength(_ min: Int) -> StringCheck {
        { $0.jsLength < min ? "String must contain at least \(min) character(s)" : nil }
    }

    public static func maxLength(_ max: Int) -> StringCheck {
        { $0.jsLength > max ? "String must contain at most \(max) character(s)" : nil }
    }

    /// `refine((s) => s.trim().length > 0, message)`.
    public static func notBlank(_ message: String) -> StringCheck {
        { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? message : nil }
    }

    /// The value under `key`, untouched (for shapes the typed readers do not cover).
    public func raw(_ key: String) -> JSONValue? { body[key] }
}
