import AgentIMWire

/// A frame's type decides its place in the outbound queue (agent-cli.md §8.6).
extension OutboundFrame {
    public enum Priority: Int, Sendable, Comparable {
        case normal = 0, high = 1, critical = 2
        public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
    }

    public var priority: Priority {
        switch type {
        case "gateway:auth", "gateway:register_agent", "gateway:message_complete", "gateway:permission_request": return .critical
        case "gateway:message_chunk", "gateway:agent_status": return .high
        default: return .normal
        }
    }
}
