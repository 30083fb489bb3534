import AgentIMCore

/// Reads and validates the fields of a JSON request body, collecting issues in the
/// `{field, message}` form (and texts) the original's validator produces, so that one
/// 400 `Validation failed` lists everything wrong at once. Unknown keys are ignored.
public struct FieldReader {
    public private(set) var issues: [APIError.FieldIssue] = []
    let body: [String: JSONValue]

    public init(_ value: JSONValue) {
        if case .object(let object) = value {
            body = object
        } else {
            body = [:]
            issues.append(.init(field: "(root)", message: "Expected object, received \(Self.kind(of: value))"))
        }
    }

    public func has(_ key: String) -> Bool { body[key] != nil }

    public func isNull(_ key: String) -> Bool { body[key] == .null }

    public mutating func fail(_ field: String, _ message: String) {
        issues.append(.init(field: field, message: message))
    }

    /// A string of `min...max` UTF-16 units. Missing → `Required` (unless optional).
    public mutating func string(_ key: String, min: Int = 0, max: Int = .max, optional: Bool = false) -> String? {
        guard let raw = body[key] else {
            if !optional { fail(key, "Required") }
            return nil
        }
        guard case .string(let text) = raw else {
            fail(key, raw == .null && optional ? "Expected string, received null" : "Expected string, received \(Self.kind(of: raw))")
            return nil
        }
        if text.jsLength < min {
            fail(key, "String must contain at least \(min) character(s)")
            return nil
        }
        if text.jsLength > max {
            fail(key, "String must contain at most \(max) character(s)")
            return nil
        }
        return text
    }

    public mutating func bool(_ key: String, optional: Bool = true) -> Bool? {
        guard let raw = body[key] else {
            if !optional { fail(key, "Required") }
            return nil
        }
        guard case .bool(let value) = raw else {
            fail(key, "Expected boolean, received \(Self.kind(of: raw))")
            return nil
        }
        return value
    }

    /// An integer in `min...max`; with `nullable`, JSON `null` is accepted and returned as nil
    /// (use `has` to tell it from an absent key).
    public mutating func int(_ key: String, min: Int, max: Int, optional: Bool = true, nullable: Bool = false) -> Int? {
        guard let raw = body[key] else {
            if !optional { fail(key, "Required") }
            return nil
        }
        if raw == .null && nullable { return nil }
        guard case .number(let number) = raw else {
            fail(key, "Expected number, received \(Self.kind(of: raw))")
            return nil
        }
        guard number.rounded() == number, number.isFinite else {
            fail(key, "Expected integer, received float")
            return nil
        }
        if number < Double(min) {
            fail(key, "Number must be greater than or equal to \(min)")
            return nil
        }
        if number > Double(max) {
            fail(key, "Number must be less than or equal to \(max)")
            return nil
        }
        return Int(number)
    }

    public mutating func oneOf(_ key: String, _ allowed: [String], optional: Bool = true) -> String? {
        guard let raw = body[key] else {
            if !optional { fail(key, "Required") }
            return nil
        }
        guard case .string(let text) = raw, allowed.contains(text) else {
            let received: String
            if case .string(let text) = raw { received = "'\(text)'" } else { received = Self.kind(of: raw) }
            fail(key, "Invalid enum value. Expected \(allowed.map { "'\($0)'" }.joined(separator: " | ")), received \(received)")
            return nil
        }
        return text
    }

    public mutating func stringArray(_ key: String, maxItems: Int, maxLength: Int = .max) -> [String]? {
        guard let raw = body[key] else { return nil }
        guard case .array(let items) = raw else {
            fail(key, "Expected array, received \(Self.kind(of: raw))")
            return nil
        }
        if items.count > maxItems {
            fail(key, "Array must contain at most \(maxItems) element(s)")
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                fail("\(key).\(index)", "Expected string, received \(Self.kind(of: item))")
                continue
            }
            if text.jsLength > maxLength {
                fail("\(key).\(index)", "String must contain at most \(maxLength) character(s)")
                continue
            }
            result.append(text)
        }
        return result
    }

    /// Throws 400 `Validation failed` with every collected issue, if any.
    public func check() throws {
        if !issues.isEmpty { throw APIError.validation(issues) }
    }

    public static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
