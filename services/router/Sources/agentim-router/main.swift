import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Hummingbird
import Logging
import RouterService

let config = ServiceHost.loadConfig(role: "router", defaultPort: 3003)
let routerConfig: RouterConfig
do {
    routerConfig = try RouterConfig(environment: .process, production: config.isProduction)
} catch {
    ServiceHost.fail(error)
}
let logger = Logger(label: "agentim.router")
do {
    let runtime = try await Runtime(config: config, usesDatabase: true, logger: logger)
    let service = try RouterService(runtime: runtime, config: routerConfig)
    let router = Router(context: HubRequestContext.self)
    router.middlewares.add(ErrorEnvelopeMiddleware(production: config.isProduction))
    service.addRoutes(to: router)
    ServiceHost.addInternalRoutes(to: router) { await runtime.healthChecks() }
    try await ServiceHost.run(router, runtime: runtime, services: service.services) {
        try await runtime.migrateIfEnabled()
        try await runtime.loadRevocationsFromDatabase()
        try await service.prepare()
    }
} catch {
    ServiceHost.fail(error)
}
