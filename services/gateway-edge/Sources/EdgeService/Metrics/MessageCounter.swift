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
        guard delivery.seq != nil, let type = Self.senderType(in: delivery.frame) else { return }
        let counter = counters.withLockedValue { counters in
            if let existing = counters[type] { return existing }
            let made = Counter(label: "agentim_messages_total", dimensions: [("type", type)])
            counters[type] = made
            return made
        }
        counter.increment()
    }

    /// The first `"senderType":"…"` of a frame the hub rendered itself (the message object's own),
    /// when it is one of the counted types. Found on the frame's bytes (`ByteSearch`, around the
    /// marker's `T`) and matched against the known names, so no String is made per message:
    /// Foundation's `range(of:)` and the copy were a fortieth of the hub's time per message at
    /// 4,000 msg/s.
    static func senderType(in frame: String) -> String? {
        if let found = frame.utf8.withContiguousStorageIfAvailable({ senderType(in: UnsafeRawBufferPointer($0)) }) { return found }
        return Array(frame.utf8).withUnsafeBytes { senderType(in: $0) }
    }

    private static let marker: [UInt8] = Array(#""senderType":""#.utf8)
    /// Where the marker's `T` is: seldom in JSON text, so memchr skips most of a frame at once.
    private static let pivot = 7
    private static let types = known.sorted().map { (name: $0, bytes: Array($0.utf8) + [UInt8(ascii: "\"")]) }

    private static func senderType(in bytes: UnsafeRawBufferPointer) -> String? {
        guard let start = marker.withUnsafeBytes({ ByteSearch.firstOffset(of: $0, pivot: pivot, in: bytes) }) else { return nil }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[(start + marker.count)...])
        // The name and its closing quote: `agent` must not match the start of `agent_x"`.
        return types.first { rest.starts(with: $0.bytes) }?.name
    }
}
