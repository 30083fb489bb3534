/// A field that the wire shows as `null` when it has no value, where a synthesized
/// `Encodable` would leave an `Optional` out. `Nullable<T>?` then means: nil → absent,
/// `Nullable(nil)` → `null`, `Nullable(x)` → `x`.
public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    public var value: Value?

    public init(_ value: Value?) { self.value = value }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
