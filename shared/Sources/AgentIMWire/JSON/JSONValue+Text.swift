import Foundation

/// JSON text in and out, as the gateway protocol's frames need it.
extension JSONValue {
    /// Parses JSON text; nil when it is not JSON (`JSONParser`: strict, without JSONDecoder).
    public static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { JSONParser.parse($0) }
    }

    /// Parses JSON bytes (a bus entry's payload) with no String made of them first.
    public static func parse(_ data: Data) -> JSONValue? {
        data.withUnsafeBytes { JSONParser.parse($0.bindMemory(to: UInt8.self)) }
    }

    /// `value` as a JSON string literal appended to `out`, escaped as JSONEncoder escapes it
    /// (`"`, `\\`, control characters; `/` left alone). For frames built without the encoder.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendQuoted(bytes: $0, to: &out) }
    }

    /// The same for UTF-8 bytes already at hand (a frame being nested in another).
    public static func appendQuoted(utf8 value: [UInt8], to out: inout [UInt8]) {
        value.withUnsafeBufferPointer { appendQuoted(bytes: $0, to: &out) }
    }

    /// Copies runs of plain bytes at once: a byte-at-a-time generic loop was 14% of the hub's
    /// time per relayed chunk (every chunk's frame is quoted whole into its bus entry).
    static func appendQuoted(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        func hex(_ digit: UInt8) -> UInt8 { digit < 10 ? 0x30 + digit : 0x57 + digit }   // lowercase, as the encoder
        out.append(0x22)
        var plain = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
            if plain < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<index])) }
            plain = index + 1
            out.append(0x5C)
            switch byte {
            case 0x22, 0x5C: out.append(byte)
            case 0x08: out.append(0x62)   // \b
            case 0x09: out.append(0x74)   // \t
            case 0x0A: out.append(0x6E)   // \n
            case 0x0C: out.append(0x66)   // \f
            case 0x0D: out.append(0x72)   // \r
            default:
                out.append(0x75); out.append(0x30); out.append(0x30)
                out.append(hex(byte >> 4)); out.append(hex(byte & 0xF))
            }
        }
        if plain < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<bytes.count])) }
        out.append(0x22)
    }

    /// Compact JSON text of an Encodable value.
    public static func text<T: Encodable>(_ value: T) -> String {
        guard let data = try? JSONCoding.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
