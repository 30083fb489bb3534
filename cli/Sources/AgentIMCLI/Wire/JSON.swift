import Foundation

/// Any JSON value, for the free-form parts of frames (`toolInput`, workspace data, chunk metadata).
public enum JSON: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSON].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n.rounded() == n, abs(n) < 9.0e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }

    /// Parses JSON text; nil when it is not JSON.
    public static func parse(_ text: String) -> JSON? {
        try? JSONDecoder().decode(JSON.self, from: Data(text.utf8))
    }

    /// `value` as a JSON string literal appended to `out`, escaped as JSONEncoder escapes it
    /// (`"`, `\\`, control characters; `/` left alone). For frames built without the encoder.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        func hex(_ digit: UInt8) -> UInt8 { digit < 10 ? 0x30 + digit : 0x57 + digit }   // lowercase, as the encoder
        out.append(0x22)
        for byte in value.utf8 {
            switch byte {
            case 0x22, 0x5C: out.append(0x5C); out.append(byte)
            case 0x08: out.append(0x5C); out.append(0x62)   // \b
            case 0x09: out.append(0x5C); out.append(0x74)   // \t
            case 0x0A: out.append(0x5C); out.append(0x6E)   // \n
            case 0x0C: out.append(0x5C); out.append(0x66)   // \f
            case 0x0D: out.append(0x5C); out.append(0x72)   // \r
            case 0..<0x20: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex(byte >> 4), hex(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    /// Compact JSON text of an Encodable value.
    public static func text<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
