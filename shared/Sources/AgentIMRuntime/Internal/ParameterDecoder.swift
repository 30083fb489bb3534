import AgentIMCore

/// Decodes a flat input (strings, numbers, booleans, optionals of them) from the path and
/// query parameters of an internal GET: every value arrives as text. A value that does not
/// parse as its field's type is 400 `Invalid parameter: <name>`.
struct ParameterDecoder: Decoder {
    let values: [String: String]
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func decode<T: Decodable>(_ type: T.Type, from values: [String: String]) throws -> T {
        try T(from: ParameterDecoder(values: values))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Container<Key>(values: values))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw Self.notFlat }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw Self.notFlat }

    static let notFlat = DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "internal route parameters are flat"))

    struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let values: [String: String]
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { values.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { values[key.stringValue] == nil }

        func text(_ key: Key) throws -> String {
            guard let value = values[key.stringValue] else { throw APIError.invalidParameter(key.stringValue) }
            return value
        }

        func parse<T>(_ key: Key, _ make: (String) -> T?) throws -> T {
            guard let value = make(try text(key)) else { throw APIError.invalidParameter(key.stringValue) }
            return value
        }

        func decode(_ type: String.Type, forKey key: Key) throws -> String { try text(key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try parse(key) { Bool($0) } }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try parse(key) { Int($0) } }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try parse(key) { Int64($0) } }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try parse(key) { Int32($0) } }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try parse(key) { UInt($0) } }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try parse(key) { UInt64($0) } }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try parse(key) { Double($0) } }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try parse(key) { Float($0) } }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try parse(key) { Int8($0) } }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try parse(key) { Int16($0) } }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try parse(key) { UInt8($0) } }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try parse(key) { UInt16($0) } }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try parse(key) { UInt32($0) } }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            // Anything but the scalars above (arrays, objects) is not a parameter.
            throw ParameterDecoder.notFlat
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw ParameterDecoder.notFlat
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw ParameterDecoder.notFlat }
        func superDecoder() throws -> any Decoder { throw ParameterDecoder.notFlat }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw ParameterDecoder.notFlat }
    }
}

/// The text of a scalar JSON value as a path segment or query value (integers without `.0`).
func parameterText(_ value: JSONValue) -> String? {
    switch value {
    case .string(let text): return text
    case .bool(let flag): return flag ? "true" : "false"
    case .number(let number):
        if number == number.rounded(), abs(number) < 9.0e15 { return String(Int64(number)) }
        return String(number)
    case .null, .array, .object: return nil
    }
}
