/// JSON text written by hand, for the few shapes rendered once per chat message (a send on the
/// bus, its delivery, its `server:new_message` frame), where JSONEncoder's Codable path was a
/// measurable share of the hub's time. Strings are quoted as JSONEncoder quotes them
/// (`JSONValue.appendQuoted`); names are the caller's constants, written as they are.
public struct JSONBytes {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Text written as it is (punctuation, a constant prefix).
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `,"name":`, without the comma for an object's first member.
    public mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    public mutating func quoted(_ value: String) { JSONValue.appendQuoted(value, to: &bytes) }

    public mutating func string(_ name: StaticString, _ value: String, first: Bool = false) {
        key(name, first: first)
        quoted(value)
    }

    public mutating func integer(_ name: StaticString, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func strings(_ name: StaticString, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            quoted(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
