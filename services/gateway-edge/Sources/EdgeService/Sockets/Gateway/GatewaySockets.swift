import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import Metrics
import NIOConcurrencyHelpers

/// The `/ws/gateway` sockets of this edge: the registry of gateways and their bound agents,
/// the live count, the workspace requests asked from here, and the handler of their frames.
final class GatewaySockets: Sendable {
    let runtime: Runtime
    let registry = GatewayRegistry()
    let count = GatewaySocketCount()
    /// What rooms answers about gateways and agents; without it `gateway:auth` goes unanswered.
    let agents: AgentsDirectory?
    /// Workspace requests asked from this edge, waiting for the gateway's answer.
    let workspaceRequests = WorkspaceRequests()
    let inbound: Counter
    /// Milliseconds before an unauthenticated socket is closed with 4001.
    let authTimeoutMs: Int
    /// Relayed chunks on their way to the events stream.
    let chunks: ChunkAppender

    init(runtime: Runtime, agents: AgentsDirectory?, inbound: Counter, authTimeoutMs: Int) {
        self.runtime = runtime
        chunks = ChunkAppender(bus: runtime.bus, stream: BusStream.events, logger: runtime.logger)
        self.agents = agents
        self.inbound = inbound
        self.authTimeoutMs = authTimeoutMs
    }

    var handler: GatewayHandler? { agents.map { GatewayHandler(runtime: runtime, registry: registry, agents: $0, chunks: chunks) } }
}

/// Live `/ws/gateway` sockets on this edge (`agentim_ws_gateway_connections`).
final class GatewaySocketCount: Sendable {
    private let count = NIOLockedValueBox(0)
    func add(_ delta: Int) { count.withLockedValue { $0 += delta } }
    var value: Int { count.withLockedValue { $0 } }
}
