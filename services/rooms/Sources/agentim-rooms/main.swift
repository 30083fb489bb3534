import AgentIMHTTP
import AgentIMRuntime
import Hummingbird
import Logging
import RoomsService

let config = ServiceHost.loadConfig(role: "rooms", defaultPort: 3002)
let logger = Logger(label: "agentim.rooms")
do {
    let runtime = try await Runtime(config: config, usesDatabase: true, logger: logger)
    let rooms = try RoomsService(runtime: runtime)
    let router = Router(context: HubRequestContext.self)
    router.middlewares.add(ErrorEnvelopeMiddleware(production: config.isProduction))
    rooms.addRoutes(to: router)
    rooms.addInternalRoutes(to: router)
    ServiceHost.addInternalRoutes(to: router) { await runtime.healthChecks() }
    try await ServiceHost.run(router, runtime: runtime, services: rooms.services) {
        try await runtime.migrateIfEnabled()
        try await runtime.loadRevocationsFromDatabase()
    }
} catch {
    ServiceHost.fail(error)
}
