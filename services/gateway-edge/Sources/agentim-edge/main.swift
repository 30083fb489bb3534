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
    let hub = ClientHub(runtime: runtime, rooms: topology.rooms)
    let router = Router(context: HubRequestContext.self)
    Edge.addMiddleware(to: router, config: config)
    router.middlewares.add(topology.proxy(config: config))
    let ownChecks: @Sendable () async -> [String: Bool] = { await runtime.healthChecks() }
    Edge.addRoutes(to: router, health: Edge.healthAggregator(probes: topology.healthProbes + [ownChecks]))
    try await ServiceHost.run(router, runtime: runtime, services: hub.services + [topology.service], server: Edge.server(hub: hub)) {
        try await topology.loadRevocations(into: runtime)
    }
} catch {
    ServiceHost.fail(error)
}
