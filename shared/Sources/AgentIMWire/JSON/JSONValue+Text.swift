import Foundation

/// JSON text in and out, as the gateway protocol's frames need it.
extension JSONValue {
    /// Parses JSON text; nil when it is not JSON (`JSONParser`: strict, without JSONDecoder).
    public static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { JSONParser.parse($0) }
    }

    /// `value` as a JSON string literal appended to `out`, escaped as JSONEncoder escapes it
    /// (`"`, `\\`, control characters; `/` left alone). For frames built without the encoder.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        appendQuoted(utf8: value.utf8, to: &out)
    }

    /// The same for UTF-8 bytes already at hand (a frame being nested in another).
    public static func appendQuoted(utf8 value: some Sequence<UInt8>, to out: inout [UInt8]) {
        func hex(_ digit: UInt8) -> UInt8 { digit < 10 ? 0x30 + digit : 0x57 + digit }   // lowercase, as the encoder
        out.append(0x22)
        for byte in value {
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
