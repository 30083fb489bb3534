import AgentIMHTTP
import AgentIMRuntime
import Hummingbird
import Logging
import UploadsService

let config = ServiceHost.loadConfig(role: "uploads", defaultPort: 3004)
let logger = Logger(label: "agentim.uploads")
do {
    let runtime = try await Runtime(config: config, usesDatabase: true, logger: logger)
    let service = try UploadsService(runtime: runtime)
    try service.checkStorage()
    let router = Router(context: HubRequestContext.self)
    router.middlewares.add(ErrorEnvelopeMiddleware(production: config.isProduction))
    service.addRoutes(to: router)
    ServiceHost.addInternalRoutes(to: router) { await service.healthChecks() }
    try await ServiceHost.run(router, runtime: runtime, services: service.backgroundServices) {
        try await runtime.migrateIfEnabled()
        try await runtime.loadRevocationsFromDatabase()
        try await runtime.settings.reload()  // upload.maxFileSize may be set by an admin
    }
} catch {
    ServiceHost.fail(error)
}
