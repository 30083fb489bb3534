/// A reply from Redis, copied out of hiredis' reply tree.
public enum RedisValue: Sendable, Equatable {
    case null
    case status(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8])
    case array([RedisValue])

    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int($0) }
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var isNull: Bool { self == .null }
}

public struct RedisError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "Redis: \(message)" }
}
