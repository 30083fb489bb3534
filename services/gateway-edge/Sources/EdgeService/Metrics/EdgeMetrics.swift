import AgentIMCore
import Foundation
import AgentIMRuntime
import Prometheus

/// The edge's share of the hub's Prometheus metrics (data-config-security §6): socket and
/// process gauges, refreshed when scraped, and the HTTP request-duration histogram. They
/// live in the process registry, so `/api/metrics` also shows everything else recorded here.
final class EdgeMetrics: Sendable {
    let hub: ClientHub
    private let clientConnections: Gauge
    private let gatewayConnections: Gauge
    private let onlineUsers: Gauge
    private let connectedAgents: Gauge
    private let activeRooms: Gauge
    /// Request durations and 5xx answers (shared with the services' own `/metrics`).
    private let requests: RequestDurations

    init(hub: ClientHub, registry: PrometheusCollectorRegistry = Telemetry.registry) {
        self.hub = hub
        clientConnections = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_ws_client_connections", unitName: "", helpText: "Number of active client WebSocket connections"))
        gatewayConnections = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_ws_gateway_connections", unitName: "", helpText: "Number of active gateway WebSocket connections"))
        onlineUsers = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_online_users", unitName: "", helpText: "Number of users with at least one active client connection"))
        connectedAgents = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_connected_agents", unitName: "", helpText: "Number of agents registered via active gateways"))
        activeRooms = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "agentim_active_rooms", unitName: "", helpText: "Number of rooms with at least one connected client"))
        requests = RequestDurations(registry: registry)
    }

    /// The exposition text with the gauges brought up to date.
    func exposition() async -> String {
        let stats = await hub.clients.registry.stats
        clientConnections.set(to: Double(stats.clients))
        onlineUsers.set(to: Double(stats.users))
        activeRooms.set(to: Double(stats.rooms))
        gatewayConnections.set(to: Double(hub.gateways.count.value))
        connectedAgents.set(to: Double(await hub.gateways.registry.agentCount))
        await RuntimeMetrics.refresh(hub.runtime)
        return Telemetry.exposition()
    }

    var uptimeSeconds: Int64 { ProcessGauges.shared.uptimeSeconds }

    func observe(method: String, path: String, seconds: Double, status: Int) {
        requests.observe(method: method, path: path, seconds: seconds, status: status)
    }

    static func residentBytes() -> Int { ProcessGauges.residentBytes() }

    static func heapBytes() -> Int { ProcessGauges.heapBytes() }
}
