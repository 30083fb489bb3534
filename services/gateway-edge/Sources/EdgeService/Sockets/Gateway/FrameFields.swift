import AgentIMCore

/// Reads a gateway frame's fields against the schema of websocket §8.1. A field that is
/// missing or out of bounds makes the accessor return nil; the frame is then dropped.
struct FrameFields {
    let body: [String: JSONValue]

    init?(_ frame: JSONValue) {
        guard let body = frame.objectValue else { return nil }
        self.body = body
    }

    subscript(key: String) -> JSONValue? { body[key] }

    func string(_ key: String, _ range: ClosedRange<Int> = 1...Int.max) -> String? {
        guard let text = body[key]?.stringValue, range.contains(text.jsLength) else { return nil }
        return text
    }

    /// `.some(nil)` when absent, nil when present and invalid.
    func optionalString(_ key: String, max: Int = Int.max) -> String?? {
        guard let raw = body[key], raw != .null else { return .some(nil) }
        guard let text = raw.stringValue, text.jsLength <= max else { return nil }
        return .some(text)
    }

    func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
        guard let number = body[key]?.numberValue, number.rounded() == number,
              number >= Double(range.lowerBound), number <= Double(range.upperBound) else { return nil }
        return Int(number)
    }

    func optionalInt(_ key: String, _ range: ClosedRange<Int>) -> Int?? {
        guard let raw = body[key], raw != .null else { return .some(nil) }
        guard raw.numberValue != nil, let value = int(key, range) else { return nil }
        return .some(value)
    }

    func bool(_ key: String) -> Bool? { body[key]?.boolValue }

    static let chunkTypes: Set<String> = ["text", "thinking", "tool_use", "tool_result", "error", "workspace_status"]
    static let agentTypes: Set<String> = ["claude-code", "codex", "gemini", "generic"]
    static let agentStatuses: Set<String> = ["online", "offline", "busy", "error"]

    /// A ParsedChunk (websocket §4.3): type, content ≤ 1,000,000, metadata ≤ 50 keys.
    static func isChunk(_ value: JSONValue) -> Bool {
        guard let chunk = value.objectValue, let type = chunk["type"]?.stringValue, chunkTypes.contains(type),
              let content = chunk["content"]?.stringValue, content.jsLength <= 1_000_000 else { return false }
        if let metadata = chunk["metadata"], metadata != .null {
            guard let keys = metadata.objectValue, keys.count <= 50,
                  let text = try? JSONCoding.encodeString(metadata), text.jsLength <= 100_000 else { return false }
        }
        return true
    }
}
