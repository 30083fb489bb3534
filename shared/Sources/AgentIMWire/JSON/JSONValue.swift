import Foundation

/// Any JSON value, for frames and bodies that must be inspected before they are trusted.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Structure limits of websocket §3.2: depth (top level = 0) at most `maxDepth`, and no
    /// array or object with more than `maxWidth` members.
    public enum ShapeViolation: Error, Equatable { case tooDeep, tooWide }

    public func checkShape(maxDepth: Int = 15, maxWidth: Int = 1000) throws(ShapeViolation) {
        try checkShape(depth: 0, maxDepth: maxDepth, maxWidth: maxWidth)
    }

    private func checkShape(depth: Int, maxDepth: Int, maxWidth: Int) throws(ShapeViolation) {
        if depth > maxDepth { throw .tooDeep }
        switch self {
        case .array(let items):
            if items.count > maxWidth { throw .tooWide }
            for item in items { try item.checkShape(depth: depth + 1, maxDepth: maxDepth, maxWidth: maxWidth) }
        case .object(let members):
            if members.count > maxWidth { throw .tooWide }
            for value in members.values { try value.checkShape(depth: depth + 1, maxDepth: maxDepth, maxWidth: maxWidth) }
        default:
            break
        }
    }
}

public extension String {
    /// Length as JavaScript counts it (UTF-16 code units): every limit of the protocol uses it.
    var jsLength: Int { utf16.count }
}
