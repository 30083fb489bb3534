import AgentIMCore
import AgentIMRuntime
import Logging
import ServiceLifecycle

/// The zombie-gateway job (data-config-security §4): every `cleanup.gatewayInterval` (live;
/// `GATEWAY_CLEANUP_INTERVAL` seeds it), first
/// after 30 s, gateways disconnected for longer than `cleanup.gatewayMaxOfflineDays` are
/// deleted with their agents; the agents leave their rooms, which get `server:room_update`
/// and a fresh `room_context`. Their ids are not flagged: a gateway that comes back much later
/// registers its agents anew. Every rooms replica runs it; a second pass finds nothing left.
struct GatewayCleanup: Service {
    static let firstRun = Duration.seconds(30)
    let service: RoomsService
    var logger: Logger { service.agents.logger }

    func run() async throws {
        let runtime = service.runtime
        let timer = SettingTimer(settings: runtime.settings, key: "cleanup.gatewayInterval", configuredMs: runtime.config.gatewayCleanupIntervalMs,
                                 firstRun: Self.firstRun, schemaReady: runtime.schemaReady, logger: logger, name: "zombie gateway cleanup")
        await timer.run {
            let removed = try await sweep()
            if removed > 0 { logger.info("deleted \(removed) gateway(s) offline past cleanup.gatewayMaxOfflineDays") }
        }
    }

    /// Deletes the zombie gateways; returns how many.
    func sweep() async throws -> Int {
        let days = service.runtime.settings.int("cleanup.gatewayMaxOfflineDays")
        let store = service.agents
        let zombies = try await store.gatewaysOffline(forMoreThanDays: days)
        let controller = AgentsController(service: service)
        for gatewayId in zombies {
            try await controller.remove(try await store.agents(onGateway: gatewayId), flagging: .none, deleteGateway: gatewayId)
        }
        return zombies.count
    }
}
