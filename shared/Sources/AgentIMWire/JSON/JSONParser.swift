/// A strict JSON (RFC 8259) reader straight into `JSONValue`, for the frames both ends read
/// once per chunk: JSONDecoder's `Decodable` path into an enum tried every case in turn and
/// cost about a fifth of the hub's time per relayed chunk. It reads JSON as JSON.parse does in
/// the original (any top-level value; of duplicate keys the last wins; no trailing commas, which
/// JSONDecoder lets through) and refuses bad escapes, lone surrogates, leading zeros, numbers a
/// Double cannot hold and trailing text, as both do.
struct JSONParser: ~Copyable {
    /// JSONDecoder's own nesting limit; the protocol's shape limit (15) is checked after.
    static let maxNesting = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var parser = JSONParser(bytes)
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.at == bytes.count ? value : nil
    }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard bytes.count - at >= count else { return nil }
        for index in 0..<count where bytes[at + index] != word.utf8Start[index] { return nil }
        at += count
        return value
    }

    private mutating func value(depth: Int) -> JSONValue? {
        skipSpace()
        guard at < bytes.count else { return nil }
        switch bytes[at] {
        case 0x7B: return object(depth: depth + 1)
        case 0x5B: return array(depth: depth + 1)
        case 0x22: return string().map(JSONValue.string)
        case 0x74: return literal("true", .bool(true))
        case 0x66: return literal("false", .bool(false))
        case 0x6E: return literal("null", .null)
        default: return number()
        }
    }

    private mutating func object(depth: Int) -> JSONValue? {
        guard depth <= Self.maxNesting else { return nil }
        at += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if at < bytes.count, bytes[at] == 0x7D { at += 1; return .object(members) }
        while true {
            skipSpace()
            guard at < bytes.count, bytes[at] == 0x22, let key = string() else { return nil }
            skipSpace()
            guard at < bytes.count, bytes[at] == 0x3A else { return nil }
            at += 1
            guard let member = value(depth: depth) else { return nil }
            members[key] = member
            skipSpace()
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case 0x2C: at += 1
            case 0x7D: at += 1; return .object(members)
            default: return nil
            }
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        guard depth <= Self.maxNesting else { return nil }
        at += 1
        var items: [JSONValue] = []
        skipSpace()
        if at < bytes.count, bytes[at] == 0x5D { at += 1; return .array(items) }
        while true {
            guard let item = value(depth: depth) else { return nil }
            items.append(item)
            skipSpace()
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case 0x2C: at += 1
            case 0x5D: at += 1; return .array(items)
            default: return nil
            }
        }
    }

    /// A string literal at `at` (its opening quote). The input is valid UTF-8 (it came from a
    /// Swift String), so only escapes and raw control characters need checking.
    private mutating func string() -> String? {
        at += 1
        let start = at
        while at < bytes.count {
            let byte = bytes[at]
            if byte == 0x22 {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                at += 1
                return text
            }
            if byte == 0x5C { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            at += 1
        }
        return nil
    }

    private mutating func escapedString(from start: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(at - start + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<at]))
        while at < bytes.count {
            let byte = bytes[at]
            switch byte {
            case 0x22:
                at += 1
                return String(decoding: out, as: UTF8.self)
            case 0x5C:
                at += 1
                guard at < bytes.count else { return nil }
                let escape = bytes[at]
                at += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: out.append(escape)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    guard let scalar = unicodeEscape() else { return nil }
                    out.append(contentsOf: scalar.utf8)
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
                at += 1
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - at >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x37
            case 0x61...0x66: digit = byte - 0x57
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }

    /// After `\u`: one scalar, a surrogate pair joined; a lone surrogate is refused as JSONDecoder does.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let first = hex4() else { return nil }
        switch first {
        case 0xD800...0xDBFF:
            guard bytes.count - at >= 6, bytes[at] == 0x5C, bytes[at + 1] == 0x75 else { return nil }
            at += 2
            guard let second = hex4(), (0xDC00...0xDFFF).contains(second) else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        case 0xDC00...0xDFFF:
            return nil
        default:
            return Unicode.Scalar(first)
        }
    }

    private mutating func number() -> JSONValue? {
        let start = at
        if at < bytes.count, bytes[at] == 0x2D { at += 1 }
        guard at < bytes.count else { return nil }
        if bytes[at] == 0x30 {
            at += 1
        } else if (0x31...0x39).contains(bytes[at]) {
            while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
        } else {
            return nil
        }
        if at < bytes.count, bytes[at] == 0x2E {
            at += 1
            guard digits() else { return nil }
        }
        if at < bytes.count, bytes[at] == 0x65 || bytes[at] == 0x45 {
            at += 1
            if at < bytes.count, bytes[at] == 0x2B || bytes[at] == 0x2D { at += 1 }
            guard digits() else { return nil }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return .number(value)
    }

    private mutating func digits() -> Bool {
        let start = at
        while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
        return at > start
    }
}

/// JSON text out without JSONEncoder, in the encoder's form: integral numbers below 2^53-ish
/// as integers, `/` unescaped, members in the dictionary's order.
extension JSONValue {
    public func appendJSON(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 {
                out.append(contentsOf: String(Int64(value)).utf8)
            } else {
                out.append(contentsOf: String(describing: value).utf8)
            }
        case .string(let value): JSONValue.appendQuoted(value, to: &out)
        case .array(let items):
            out.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x2C) }
                item.appendJSON(to: &out)
            }
            out.append(0x5D)
        case .object(let members):
            out.append(0x7B)
            var first = true
            for (key, member) in members {
                if !first { out.append(0x2C) }
                first = false
                JSONValue.appendQuoted(key, to: &out)
                out.append(0x3A)
                member.appendJSON(to: &out)
            }
            out.append(0x7D)
        }
    }

    /// Compact JSON text of the value (the encoder's form, see `appendJSON`).
    public var jsonText: String {
        var out: [UInt8] = []
        appendJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
