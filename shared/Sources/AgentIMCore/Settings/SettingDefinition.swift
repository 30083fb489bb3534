import Foundation

/// One runtime setting of data-config-security §2.4 / http-api §13: stored in the
/// `settings` table, else seeded from an environment variable, else a default.
public struct SettingDefinition: Sendable {
    public enum Kind: String, Sendable, Codable { case string, number, boolean, enumeration = "enum" }

    /// When a saved value takes effect: on every process within the bus's latency, or when
    /// the processes that use it next start (the admin page says which).
    public enum Applies: String, Sendable, Codable { case live, restart }

    /// Groups in the order the admin page shows them.
    public enum Group: String, Sendable, CaseIterable {
        case general, security, storage, rateLimit, connections, aiRouter, pushNotifications, maintenance
    }

    public let key: String
    public let group: Group
    public let kind: Kind
    public let defaultValue: String
    /// Replaces `defaultValue` when `NODE_ENV=production` (only `metrics.authEnabled`).
    public let productionDefault: String?
    public let envKey: String?
    public let enumValues: [String]?
    public let min: Int?
    public let max: Int?
    public let sensitive: Bool
    public var applies: Applies { SettingsRegistry.appliedAtRestart.contains(key) ? .restart : .live }
    /// `adminSettings.<label>`; the description key appends `Desc`.
    public let labelKey: String
    public var descKey: String { labelKey + "Desc" }

    init(_ key: String, _ group: Group, _ kind: Kind, _ defaultValue: String, env: String?, label: String,
         enumValues: [String]? = nil, min: Int? = nil, max: Int? = nil, sensitive: Bool = false, productionDefault: String? = nil) {
        self.key = key
        self.group = group
        self.kind = kind
        self.defaultValue = defaultValue
        self.productionDefault = productionDefault
        envKey = env
        self.enumValues = enumValues
        self.min = min
        self.max = max
        self.sensitive = sensitive
        labelKey = "adminSettings." + label
    }

    public func defaultValue(production: Bool) -> String {
        production ? (productionDefault ?? defaultValue) : defaultValue
    }

    /// Why `value` cannot be stored for this key, in the original's words
    /// (`<key>: minimum is N`, …), or nil when it is acceptable.
    public func problem(with value: String) -> String? {
        switch kind {
        case .number:
            guard let number = JSNumber.parse(value) else { return "\(key): must be a number" }
            if let min, number < Double(min) { return "\(key): minimum is \(min)" }
            if let max, number > Double(max) { return "\(key): maximum is \(max)" }
        case .boolean:
            if value != "true" && value != "false" { return "\(key): must be \"true\" or \"false\"" }
        case .enumeration:
            if let enumValues, !enumValues.contains(value) { return "\(key): must be one of \(enumValues.joined(separator: ", "))" }
        case .string:
            if key == "cors.origin" { return CORSOriginList.problem(with: value) }
            // The original accepts any text here and then fails at login when it is not a
            // time span; refusing it at the door keeps login working.
            if key == "jwt.accessExpiry" || key == "jwt.refreshExpiry", TimeSpan.seconds(value) == nil {
                return "\(key): must be a time span like 15m, 1h or 7d"
            }
        }
        return nil
    }

    /// The value an environment variable gives this key, or nil when it gives none.
    /// Fixes the original's NaN: a number is read like the other integer variables
    /// (leading digits, clamped to min–max) and an unreadable one falls back to the default.
    public func valueFromEnvironment(_ raw: String?) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        switch kind {
        case .string:
            return raw
        case .boolean:
            return raw == "true" ? "true" : "false"
        case .enumeration:
            return enumValues?.contains(raw) == false ? nil : raw
        case .number:
            guard var number = Environment.parseLeadingInt(raw) else { return nil }
            if let min { number = Swift.max(number, min) }
            if let max { number = Swift.min(number, max) }
            return String(number)
        }
    }
}

/// JavaScript's `Number(text)` for the texts a settings form sends: surrounding whitespace
/// ignored, empty means 0, decimal with optional exponent, `0x`/`0o`/`0b` integers,
/// `Infinity`. nil where JavaScript gives NaN.
public enum JSNumber {
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return 0 }
        switch trimmed {
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        let lower = trimmed.lowercased()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
            return Int(lower.dropFirst(2), radix: radix).map(Double.init)
        }
        var sawDigit = false
        var index = trimmed.startIndex
        func skipDigits() {
            while index < trimmed.endIndex, trimmed[index].isASCII, trimmed[index].isNumber {
                sawDigit = true
                index = trimmed.index(after: index)
            }
        }
        if trimmed[index] == "+" || trimmed[index] == "-" { index = trimmed.index(after: index) }
        skipDigits()
        if index < trimmed.endIndex, trimmed[index] == "." {
            index = trimmed.index(after: index)
            skipDigits()
        }
        guard sawDigit else { return nil }
        if index < trimmed.endIndex, trimmed[index] == "e" || trimmed[index] == "E" {
            index = trimmed.index(after: index)
            if index < trimmed.endIndex, trimmed[index] == "+" || trimmed[index] == "-" { index = trimmed.index(after: index) }
            sawDigit = false
            skipDigits()
            guard sawDigit else { return nil }
        }
        guard index == trimmed.endIndex else { return nil }
        return Double(trimmed)
    }
}

/// `cors.origin` as an admin may set it: comma-separated `http(s)://host[:port]` origins,
/// no path, no `*`; empty is allowed.
public enum CORSOriginList {
    public static func problem(with value: String) -> String? {
        for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            if entry == "*" { return "cors.origin: the wildcard \"*\" is not allowed" }
            guard let url = URLParts(entry), url.scheme == "http" || url.scheme == "https", url.rest.isEmpty || url.rest == "/" else {
                return "cors.origin: \"\(entry)\" is not an http(s) origin without a path"
            }
        }
        return nil
    }

    /// `scheme://authority` and whatever follows the authority.
    struct URLParts {
        var scheme: String
        var rest: Substring
        init?(_ text: String) {
            guard let separator = text.range(of: "://") else { return nil }
            scheme = text[..<separator.lowerBound].lowercased()
            let afterScheme = text[separator.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
            let authority = afterScheme[..<authorityEnd]
            guard !authority.isEmpty, !authority.contains("@"), !authority.contains(where: { $0 == " " }) else { return nil }
            rest = afterScheme[authorityEnd...]
        }
    }
}
