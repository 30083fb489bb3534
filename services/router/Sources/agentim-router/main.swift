import AgentIMHTTP
import AgentIMRuntime
import Hummingbird
import Logging
import RouterService

let config = ServiceHost.loadConfig(role: "router", defaultPort: 3003)
let logger = Logger(label: "agentim.router")
do {
    let runtime = try await Runtime(config: config, usesDatabase: true, logger: logger)
    let service = try RouterService(runtime: runtime)
    let router = Router(context: HubRequestContext.self)
    router.middlewares.add(ErrorEnvelopeMiddleware(production: config.isProduction))
    service.addRoutes(to: router)
    ServiceHost.addInternalRoutes(to: router) { await runtime.healthChecks() }
    try await ServiceHost.run(router, runtime: runtime) {
        try await runtime.migrateIfEnabled()
        try await runtime.loadRevocationsFromDatabase()
    }
} catch {
    ServiceHost.fail(error)
}
