import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import AgentIMRuntime
import AgentIMSecrets
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

if CommandLine.arguments.dropFirst().first == "reencrypt" {
    // `agentim-server reencrypt`: move every stored secret from ENCRYPTION_KEY_PREVIOUS to ENCRYPTION_KEY.
    do {
        guard let newKey = config.encryptionKey else { throw ConfigError("reencrypt needs ENCRYPTION_KEY (the new key)") }
        guard let oldKey = ProcessInfo.processInfo.environment["ENCRYPTION_KEY_PREVIOUS"], !oldKey.isEmpty else {
            throw ConfigError("reencrypt needs ENCRYPTION_KEY_PREVIOUS (the key the secrets are stored under now)")
        }
        let database = try Database(url: config.databaseURL, poolSize: 2, logger: logger)
        let pool = Task { await database.client.run() }
        let report = try await SecretRotation(database: database).run(from: SecretBox(encryptionKey: oldKey), to: SecretBox(encryptionKey: newKey))
        print("agentim: re-encrypted \(report.rotated) secret(s); \(report.alreadyCurrent) already under the new key")
        pool.cancel()
        exit(0)
    } catch {
        ServiceHost.fail(error)
    }
}

do {
    let routerConfig = try RouterConfig(environment: .process, production: config.isProduction)
    let runtime = try await Runtime(config: config, usesDatabase: true, logger: logger)
    let auth = try AuthService(runtime: runtime)
    let rooms = try RoomsService(runtime: runtime)
    let routing = try RouterService(runtime: runtime, config: routerConfig)
    let uploads = try UploadsService(runtime: runtime) { userId, avatarUrl in try await auth.recordAvatar(userId: userId, avatarUrl: avatarUrl) }
    try uploads.checkStorage()

    let hub = ClientHub(runtime: runtime, rooms: RoomsDirectory(
        accessInfo: { userId, roomId in try await rooms.accessInfo(userId: userId, roomId: roomId) },
        messagesAfter: { roomId, seq, limit in try await rooms.messagesAfter(roomId: roomId, seq: seq, limit: limit) }),
        agents: AgentsDirectory(
            gatewayConnected: { login in
                try await rooms.gatewayConnected(userId: login.userId, gatewayId: login.gatewayId, deviceInfo: login.deviceInfo,
                                                 ephemeral: login.ephemeral, liveSockets: login.liveSockets)
            },
            registerAgent: { registration in
                try await rooms.registerAgent(userId: registration.userId, gatewayId: registration.gatewayId, agent: registration.agent)
            },
            placement: { agentId in try await rooms.placement(agentId: agentId) },
            pendingPermissions: { roomId in try await rooms.pendingPermissions(roomId: roomId) },
            gatewayOnline: { gatewayId, userId in try await rooms.gatewayOnline(gatewayId: gatewayId, userId: userId) }))
    let edge = try Edge(hub: hub)
    let router = Router(context: HubRequestContext.self)
    edge.addMiddleware(to: router)
    auth.addRoutes(to: router)
    rooms.addRoutes(to: router)
    routing.addRoutes(to: router)
    uploads.addRoutes(to: router)
    edge.addRoutes(to: router, health: Edge.healthAggregator(probes: [{ await uploads.healthChecks() }]),
                   roleOf: { userId in try await auth.role(of: userId) })

    try await ServiceHost.run(router, runtime: runtime, services: hub.services + rooms.services + routing.services + auth.backgroundServices + uploads.backgroundServices, server: edge.server()) {
        try await runtime.migrateIfEnabled()
        try await runtime.loadRevocationsFromDatabase()
        try await auth.prepare()
        if config.redisURL == nil { try await rooms.resetAgentsAfterRestart() }
    }
} catch {
    ServiceHost.fail(error)
}
