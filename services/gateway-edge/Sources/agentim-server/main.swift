import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import AgentIMRuntime
import AuthService
import EdgeService
import Foundation
import Hummingbird
import Logging
import RoomsService
import RouterService
import UploadsService

// The single-process hub: the edge with every service mounted in-process. Without
// REDIS_URL the bus is in memory; with it, this process joins a distributed topology.
let config = ServiceHost.loadConfig(role: "server", defaultPort: 3000)
let logger = Logger(label: "agentim.server")

if CommandLine.arguments.dropFirst().first == "migrate" {
    // `agentim-server migrate`: apply the schema and exit (Kubernetes Job, compose one-shot).
    do {
        let database = try Database(url: config.databaseURL, poolSize: 2, logger: logger)
        let pool = Task { await database.client.run() }
        let applied = try await Migrator(database: database).migrate()
        print("agentim: migrations applied: \(applied.isEmpty ? "none pending" : applied.map(String.init).joined(separator: ", "))")
        pool.cancel()
        exit(0)
    } catch {
        ServiceHost.fail(error)
    }
}

do {
    let runtime = try await Runtime(config: config, usesDatabase: true, logger: logger)
    let auth = try AuthService(runtime: runtime)
    let rooms = try RoomsService(runtime: runtime)
    let routing = try RouterService(runtime: runtime)
    let uploads = try UploadsService(runtime: runtime)
    try uploads.checkStorage()

    let store = rooms.rooms
    let hub = ClientHub(runtime: runtime, roomAccess: RoomAccessLookup { userId, roomId in
        try await store.access(userId: userId, roomId: roomId).rawValue
    })
    let edge = try Edge(hub: hub)
    let router = Router(context: HubRequestContext.self)
    edge.addMiddleware(to: router)
    auth.addRoutes(to: router)
    rooms.addRoutes(to: router)
    routing.addRoutes(to: router)
    uploads.addRoutes(to: router)
    edge.addRoutes(to: router, health: Edge.healthAggregator(probes: [{ await uploads.healthChecks() }]))
    ServiceHost.addInternalRoutes(to: router) { await uploads.healthChecks() }

    try await ServiceHost.run(router, runtime: runtime, services: hub.services + [rooms.commandWorker], server: edge.server()) {
        try await runtime.migrateIfEnabled()
        try await runtime.loadRevocationsFromDatabase()
        try await auth.prepare()
    }
} catch {
    ServiceHost.fail(error)
}
