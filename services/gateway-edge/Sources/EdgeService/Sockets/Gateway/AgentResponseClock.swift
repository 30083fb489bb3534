import AgentIMCore
import Foundation
import Prometheus

/// `agentim_agent_response_duration_seconds` (data-config-security §6): from the moment this
/// edge hands an agent a `server:send_to_agent` until that agent's `gateway:message_complete`
/// for the same room. Both ends pass through the one edge holding the agent's gateway socket,
/// so the measure holds with several edges and rooms replicas. The original declares the
/// histogram and never observes it.
struct AgentResponseClock {
    static let buckets: [Double] = [0.1, 0.5, 1, 5, 10, 30, 60, 120]
    /// Work an agent may have queued per room before the oldest start is forgotten.
    static let maxPending = 64
    /// Unescaped quotes cannot occur inside a JSON string, so this only matches the frame's type
    /// (whatever order the encoder wrote the keys in).
    static let sendType = #""type":"server:send_to_agent""#

    private var started: [String: [ContinuousClock.Instant]] = [:]
    private let registry: PrometheusCollectorRegistry
    /// Made at the first reply: until then the series is absent, as the dashboard (and the
    /// original, which never observes it) shows an empty `agentResponse`.
    private var histogram: ValueHistogram?

    init(registry: PrometheusCollectorRegistry = Telemetry.registry) {
        self.registry = registry
    }

    /// Notes the start when `frame` gives the agent work in a room.
    mutating func delivered(_ frame: String, to agentId: String) {
        guard frame.contains(Self.sendType), let roomId = Self.roomId(in: frame) else { return }
        var queue = started[agentId + "\u{0}" + roomId, default: []]
        if queue.count >= Self.maxPending { queue.removeFirst() }
        queue.append(.now)
        started[agentId + "\u{0}" + roomId] = queue
    }

    /// The agent finished a reply in the room: observe the oldest open start.
    mutating func completed(agentId: String, roomId: String) {
        let key = agentId + "\u{0}" + roomId
        guard var queue = started[key], !queue.isEmpty else { return }
        let start = queue.removeFirst()
        started[key] = queue.isEmpty ? nil : queue
        let elapsed = ContinuousClock.now - start
        if histogram == nil {
            histogram = registry.makeValueHistogram(
                descriptor: MetricNameDescriptor(metricName: "agentim_agent_response_duration", unitName: "seconds",
                                                 helpText: "Time from a message sent to an agent to its completed reply"),
                buckets: Self.buckets)
        }
        histogram?.record(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// The agent's socket went away: its open starts will never complete here.
    mutating func forget(agentId: String) {
        started = started.filter { !$0.key.hasPrefix(agentId + "\u{0}") }
    }

    /// Once per unit of agent work, so decoding the frame again costs little.
    private static func roomId(in frame: String) -> String? {
        struct Room: Decodable { let roomId: String }
        return try? JSONDecoder().decode(Room.self, from: Data(frame.utf8)).roomId
    }
}
