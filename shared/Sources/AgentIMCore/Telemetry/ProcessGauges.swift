import Foundation
import Prometheus
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `process_uptime_seconds`, `process_heap_bytes`, `process_rss_bytes` (data-config-security §6)
/// of this process, brought up to date when scraped.
public final class ProcessGauges: Sendable {
    public static let shared = ProcessGauges()

    private let heap: Gauge
    private let rss: Gauge
    private let uptime: Counter

    init(registry: PrometheusCollectorRegistry = Telemetry.registry) {
        heap = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "process_heap_bytes", unitName: "", helpText: "Heap bytes in use"))
        rss = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "process_rss_bytes", unitName: "", helpText: "Resident set size in bytes"))
        uptime = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "process_uptime", unitName: "seconds", helpText: "Server uptime in seconds"))
    }

    /// Seconds since this process started (from /proc, so it counts from the exec, not the first scrape).
    public var uptimeSeconds: Int64 { Self.processUptimeSeconds() }

    static func processUptimeSeconds() -> Int64 {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let afterName = stat.range(of: ")", options: .backwards)?.upperBound,
              let systemUptime = (try? String(contentsOfFile: "/proc/uptime", encoding: .utf8))?.split(separator: " ").first.flatMap({ Double($0) })
        else { return 0 }
        // Fields after the command name start at field 3; the start time (in clock ticks after boot) is field 22.
        let fields = stat[afterName...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return 0 }
        return Int64(max(0, systemUptime - ticks / Double(sysconf(Int32(_SC_CLK_TCK)))))
    }

    public func refresh() {
        heap.set(to: Double(Self.heapBytes()))
        rss.set(to: Double(Self.residentBytes()))
        uptime.reset()
        uptime.increment(by: uptimeSeconds)
    }

    public static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Anonymous resident memory (malloc's arenas and other heap-like mappings), from
    /// `/proc/self/smaps_rollup`: the closest Linux figure to the original's heap-used bytes.
    public static func heapBytes() -> Int {
        guard let rollup = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8),
              let line = rollup.split(separator: "\n").first(where: { $0.hasPrefix("Anonymous:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kilobytes * 1024
    }
}

/// `agentim_bus_pending_messages{stream,group}` (delivered to a consumer, not yet acknowledged)
/// and `agentim_bus_lag_messages{stream,group}` (in the stream, not yet delivered to the group):
/// how far this process's consumer groups are behind, read from Redis when scraped.
public final class BusGauges: Sendable {
    public static let shared = BusGauges()
    private let registry: PrometheusCollectorRegistry
    private let gauges = Mutex<[String: (pending: Gauge, lag: Gauge)]>([:])

    init(registry: PrometheusCollectorRegistry = Telemetry.registry) {
        self.registry = registry
    }

    public func set(stream: String, group: String, pending: Int, lag: Int) {
        let pair = gauges.withLock { gauges in
            let key = stream + " " + group
            if let existing = gauges[key] { return existing }
            let labels = [("stream", stream), ("group", group)]
            let made = (
                pending: registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_bus_pending", unitName: "messages",
                                                                              helpText: "Commands delivered to a consumer and not yet acknowledged"), labels: labels),
                lag: registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_bus_lag", unitName: "messages",
                                                                          helpText: "Commands in the stream not yet delivered to the group"), labels: labels))
            gauges[key] = made
            return made
        }
        pair.pending.set(to: Double(pending))
        pair.lag.set(to: Double(lag))
    }

    private let followerGauges = Mutex<[String: Gauge]>([:])

    /// `agentim_bus_follower_lag_messages{stream}`: entries of a fan-out stream this process's
    /// followers (which read without a group, so `agentim_bus_lag_messages` cannot show them)
    /// have not handled yet, for the follower furthest behind.
    public func setFollower(stream: String, lag: Int) {
        let gauge = followerGauges.withLock { gauges in
            if let existing = gauges[stream] { return existing }
            let made = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_bus_follower_lag", unitName: "messages",
                                                                            helpText: "Stream entries this process's followers have not handled yet"),
                                          labels: [("stream", stream)])
            gauges[stream] = made
            return made
        }
        gauge.set(to: Double(lag))
    }
}

/// `agentim_db_pool_connections{state="open"|"in_use"}` and `agentim_db_pool_max_connections`:
/// this process's PostgreSQL pool, as the server sees it (`Database.poolUsage`) when scraped.
public final class PoolGauges: Sendable {
    public static let shared = PoolGauges()
    private let open: Gauge
    private let inUse: Gauge
    private let maximum: Gauge

    init(registry: PrometheusCollectorRegistry = Telemetry.registry) {
        let descriptor = MetricNameDescriptor(metricName: "agentim_db_pool_connections", unitName: "", helpText: "PostgreSQL pool connections by state")
        open = registry.makeGauge(descriptor: descriptor, labels: [("state", "open")])
        inUse = registry.makeGauge(descriptor: descriptor, labels: [("state", "in_use")])
        maximum = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_db_pool_max_connections", unitName: "",
                                                                       helpText: "Largest number of PostgreSQL connections the pool opens"))
    }

    public func set(open: Int, inUse: Int, maximum: Int) {
        self.open.set(to: Double(open))
        self.inUse.set(to: Double(inUse))
        self.maximum.set(to: Double(maximum))
    }
}
