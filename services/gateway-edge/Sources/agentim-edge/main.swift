import AgentIMHTTP
import AgentIMRuntime
import EdgeService
import Hummingbird
import Logging

let config = ServiceHost.loadConfig(role: "edge", defaultPort: 3000)
let logger = Logger(label: "agentim.edge")
do {
    let topology = try RemoteTopology(config: config)
    let runtime = try await Runtime(config: config, usesDatabase: false, logger: logger)
    let hub = ClientHub(runtime: runtime, rooms: topology.rooms, agents: topology.agents)
    let edge = try Edge(hub: hub)
    let router = Router(context: HubRequestContext.self)
    edge.addMiddleware(to: router)
    router.middlewares.add(topology.proxy(config: config, secure: edge.isSecure))
    let ownChecks: @Sendable () async -> [String: Bool] = { await runtime.healthChecks() }
    edge.addRoutes(to: router, health: Edge.healthAggregator(probes: topology.healthProbes + [ownChecks]), roleOf: topology.roleOf)
    try await ServiceHost.run(router, runtime: runtime, services: hub.services + [topology.service], server: edge.server(proxyingTo: topology)) {
        try await topology.loadRevocations(into: runtime)
    }
} catch {
    ServiceHost.fail(error)
}
