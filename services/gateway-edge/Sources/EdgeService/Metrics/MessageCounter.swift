import AgentIMCore
import Metrics
import NIOConcurrencyHelpers

/// `agentim_messages_total{type}` (data-config-security §6): every stored message reaches
/// every edge once as a sequenced delivery, so each edge counts what the hub stored since
/// it started. A type's counter exists only after its first message, as the spec says.
final class MessageCounter: Sendable {
    private let counters = NIOLockedValueBox<[String: Counter]>([:])
    private static let known: Set<String> = ["user", "agent", "service_agent"]

    /// Counts a delivery that carries a new stored message (`seq` set).
    func count(_ delivery: Delivery) {
        guard delivery.seq != nil, let type = Self.senderType(in: delivery.frame), Self.known.contains(type) else { return }
        let counter = counters.withLockedValue { counters in
            if let existing = counters[type] { return existing }
            let made = Counter(label: "agentim_messages_total", dimensions: [("type", type)])
            counters[type] = made
            return made
        }
        counter.increment()
    }

    /// The first `"senderType":"…"` of a frame the hub rendered itself (the message object's own).
    static func senderType(in frame: String) -> String? {
        let marker = "\"senderType\":\""
        guard let start = frame.range(of: marker)?.upperBound,
              let end = frame[start...].firstIndex(of: "\"") else { return nil }
        return String(frame[start..<end])
    }
}
