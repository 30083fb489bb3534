import AgentIMCore
import Foundation
import NIOConcurrencyHelpers
import Prometheus
#if canImport(Glibc)
import Glibc
#endif

/// The edge's share of the hub's Prometheus metrics (data-config-security §6): socket and
/// process gauges, refreshed when scraped, and the HTTP request-duration histogram. They
/// live in the process registry, so `/api/metrics` also shows everything else recorded here.
final class EdgeMetrics: Sendable {
    let hub: ClientHub
    private let started = ContinuousClock.now
    private let clientConnections: Gauge
    private let gatewayConnections: Gauge
    private let onlineUsers: Gauge
    private let connectedAgents: Gauge
    private let activeRooms: Gauge
    private let heapBytes: Gauge
    private let rssBytes: Gauge
    private let uptime: Counter
    private let durations = NIOLockedValueBox<[String: ValueHistogram]>([:])
    private let apiErrors = NIOLockedValueBox<Counter?>(nil)

    static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Label sets kept apart before further paths share `path="other"`: unknown URLs must not
    /// grow the registry without bound.
    static let maxPaths = 500

    init(hub: ClientHub, registry: PrometheusCollectorRegistry = Telemetry.registry) {
        self.hub = hub
        clientConnections = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_ws_client_connections", unitName: "", helpText: "Number of active client WebSocket connections"))
        gatewayConnections = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_ws_gateway_connections", unitName: "", helpText: "Number of active gateway WebSocket connections"))
        onlineUsers = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_online_users", unitName: "", helpText: "Number of users with at least one active client connection"))
        connectedAgents = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_connected_agents", unitName: "", helpText: "Number of agents registered via active gateways"))
        activeRooms = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_active_rooms", unitName: "", helpText: "Number of rooms with at least one connected client"))
        heapBytes = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "process_heap_bytes", unitName: "", helpText: "Heap bytes in use"))
        rssBytes = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "process_rss_bytes", unitName: "", helpText: "Resident set size in bytes"))
        uptime = registry.makeCounter(descriptor: MetricNameDescriptor(
            metricName: "process_uptime", unitName: "seconds", helpText: "Server uptime in seconds"))
        self.registry = registry
    }

    private let registry: PrometheusCollectorRegistry

    /// The exposition text with the gauges brought up to date.
    func exposition() async -> String {
        let stats = await hub.clients.registry.stats
        clientConnections.set(to: Double(stats.clients))
        onlineUsers.set(to: Double(stats.users))
        activeRooms.set(to: Double(stats.rooms))
        gatewayConnections.set(to: Double(hub.gateways.count.value))
        connectedAgents.set(to: Double(await hub.gateways.registry.agentCount))
        heapBytes.set(to: Double(Self.heapBytes()))
        rssBytes.set(to: Double(Self.residentBytes()))
        uptime.reset()
        uptime.increment(by: uptimeSeconds)
        return Telemetry.exposition()
    }

    var uptimeSeconds: Int64 { (ContinuousClock.now - started).components.seconds }

    func observe(method: String, path: String, seconds: Double, status: Int) {
        let label = Self.label(for: path)
        let key = method + " " + label
        let histogram = durations.withLockedValue { cache -> ValueHistogram in
            if let existing = cache[key] { return existing }
            let path = cache.count < Self.maxPaths ? label : "other"
            let made = registry.makeValueHistogram(
                descriptor: MetricNameDescriptor(metricName: "agentim_http_request_duration", unitName: "seconds",
                                                 helpText: "HTTP request duration in seconds"),
                labels: [("method", method), ("path", path)], buckets: Self.durationBuckets)
            cache[key] = made
            return made
        }
        histogram.record(seconds)
        if status >= 500 {
            // Created on the first error: the counter appears only once it is non-zero.
            let counter = apiErrors.withLockedValue { counter in
                if counter == nil { counter = registry.makeCounter(descriptor: MetricNameDescriptor(
                    metricName: "agentim_api_errors", unitName: "total", helpText: "API responses with a 5xx status")) }
                return counter!
            }
            counter.increment()
        }
    }

    /// Path segments of 10 or more id characters become `:id` (the original's rule). One pass
    /// over the bytes; a path with no id segment is returned as it is (the usual case).
    static func label(for path: String) -> String {
        let utf8 = Array(path.utf8)
        var result: [UInt8]?
        var start = 0
        while start < utf8.count {
            var end = start
            while end < utf8.count, utf8[end] != UInt8(ascii: "/") { end += 1 }
            let segment = utf8[start..<end]
            if segment.count >= 10, segment.allSatisfy(isIDByte) {
                if result == nil { result = Array(utf8[..<start]) }
                result!.append(contentsOf: ":id".utf8)
            } else if result != nil {
                result!.append(contentsOf: segment)
            }
            if end < utf8.count { result?.append(UInt8(ascii: "/")) }
            start = end + 1
        }
        guard let result else { return path }
        return String(decoding: result, as: UTF8.self)
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
    }

    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Anonymous resident memory (malloc's arenas and other heap-like mappings), from
    /// `/proc/self/smaps_rollup`: the closest Linux figure to the original's heap-used bytes.
    static func heapBytes() -> Int {
        guard let rollup = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8),
              let line = rollup.split(separator: "\n").first(where: { $0.hasPrefix("Anonymous:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kilobytes * 1024
    }
}
