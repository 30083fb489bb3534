import Foundation
import Testing

/// The distributed topology as separate OS processes over Redis: the four services and
/// any number of edges, all on one fresh database.
final class DistributedHub: @unchecked Sendable {
    static let secret = "distributed-test-secret-long-enough-for-prod"

    let database: String
    let common: [String: String]
    private(set) var services: [String: HubProcess] = [:]
    private(set) var edges: [HubProcess] = []

    /// `extra`: more environment for every process (tracing, error reporting).
    init(extra: [String: String] = [:]) throws {
        let redis = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        database = try TestEnvironment.freshDatabase()
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        common = ["DATABASE_URL": database, "REDIS_URL": redis, "JWT_SECRET": Self.secret,
                  "ADMIN_PASSWORD": ChatScenario.adminPassword, "UPLOAD_DIR": upload].merging(extra) { $1 }
    }

    /// Starts auth, rooms, router and uploads (migrations run in all at once: the advisory
    /// lock keeps them apart) and waits until each is ready.
    func startServices() async throws {
        for name in ["auth", "rooms", "router", "uploads"] {
            services[name] = try HubProcess("agentim-\(name)", environment: common)
        }
        for process in services.values { try await process.waitUntilHealthy(path: "/internal/health") }
    }

    /// Restarts one service on its port (the edges keep their upstream URLs) and waits until it is ready.
    @discardableResult
    func restart(_ name: String) async throws -> HubProcess {
        let old = try #require(services[name])
        old.stopGracefully()
        let process = try HubProcess("agentim-\(name)", port: old.port, environment: common)
        services[name] = process
        try await process.waitUntilHealthy(path: "/internal/health")
        return process
    }

    /// Another process of a service beside the running one (a replica).
    func replica(_ name: String) async throws -> HubProcess {
        let process = try HubProcess("agentim-\(name)", environment: common)
        try await process.waitUntilHealthy(path: "/internal/health")
        return process
    }

    /// A new edge in front of the running services.
    func startEdge() async throws -> HubProcess {
        var env = common
        env["DATABASE_URL"] = nil
        for (name, process) in services { env["\(name.uppercased())_URL"] = process.baseURL }
        let edge = try HubProcess("agentim-edge", environment: env)
        edges.append(edge)
        try await edge.waitUntilHealthy(path: "/api/health")
        return edge
    }

    func stop() {
        edges.forEach { $0.stop() }
        services.values.forEach { $0.stop() }
    }
}
