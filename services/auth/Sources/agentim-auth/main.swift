import AgentIMHTTP
import AgentIMRuntime
import AuthService
import Hummingbird
import Logging

let config = ServiceHost.loadConfig(role: "auth", defaultPort: 3001)
let logger = Logger(label: "agentim.auth")
do {
    let runtime = try await Runtime(config: config, usesDatabase: true, logger: logger)
    let auth = try AuthService(runtime: runtime)
    let router = Router(context: HubRequestContext.self)
    router.middlewares.add(ErrorEnvelopeMiddleware(production: config.isProduction))
    auth.addRoutes(to: router)
    auth.addInternalRoutes(to: router)
    ServiceHost.addInternalRoutes(to: router) { await runtime.healthChecks() }
    try await ServiceHost.run(router, runtime: runtime, services: auth.backgroundServices) {
        try await runtime.migrateIfEnabled()
        try await runtime.loadRevocationsFromDatabase()
        try await auth.prepare()
    }
} catch {
    ServiceHost.fail(error)
}
