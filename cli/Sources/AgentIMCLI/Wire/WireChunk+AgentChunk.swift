import AgentIMWire

extension WireChunk {
    /// An adapter's chunk as it goes on the wire.
    public init(_ chunk: AgentChunk) {
        // Metadata values arrive as Swift strings; numbers and booleans that were JSON scalars are kept as such.
        let metadata: [String: JSONValue]? = chunk.metadata.isEmpty ? nil : chunk.metadata.mapValues { value in
            if let parsed = JSONValue.parse(value) {
                switch parsed { case .number, .bool: return parsed; default: break }
            }
            return .string(value)
        }
        self.init(type: chunk.kind.rawValue, content: chunk.content, metadata: metadata)
    }
}
