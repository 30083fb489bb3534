import Foundation
import Testing

/// The five executables as separate OS processes over Redis, with two edges: a message
/// sent through one edge reaches a socket held by the other.
@Suite(.serialized)
struct DistributedTopologyTests {
    @Test func messageCrossesEdges() async throws {
        let redis = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        let database = try TestEnvironment.freshDatabase()
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        let common = ["DATABASE_URL": database, "REDIS_URL": redis, "JWT_SECRET": "distributed-test-secret-long-enough-for-prod",
                      "ADMIN_PASSWORD": ChatScenario.adminPassword, "UPLOAD_DIR": upload]

        // Migrations run in every service at once: the advisory lock keeps them apart.
        var services: [String: HubProcess] = [:]
        for name in ["auth", "rooms", "router", "uploads"] {
            services[name] = try HubProcess("agentim-\(name)", environment: common)
        }
        defer { services.values.forEach { $0.stop() } }
        for process in services.values { try await process.waitUntilHealthy(path: "/internal/health") }

        var edgeEnv = common
        edgeEnv["DATABASE_URL"] = nil
        for (name, process) in services { edgeEnv["\(name.uppercased())_URL"] = process.baseURL }
        let edge1 = try HubProcess("agentim-edge", environment: edgeEnv)
        let edge2 = try HubProcess("agentim-edge", environment: edgeEnv)
        defer { edge1.stop(); edge2.stop() }
        try await edge1.waitUntilHealthy(path: "/api/health")
        try await edge2.waitUntilHealthy(path: "/api/health")

        let health = try await HTTP.get(edge1.baseURL + "/api/health")
        #expect(health["checks"] == .object(["database": .bool(true), "redis": .bool(true), "filesystem": .bool(true)]))

        try await ChatScenario.run(senderBase: edge1.baseURL, senderWS: edge1.wsURL,
                                   receiverBase: edge2.baseURL, receiverWS: edge2.wsURL)

        // A service that is down makes the edge answer 503 with the check false.
        services["uploads"]?.stop()
        try await Task.sleep(for: .milliseconds(2100))  // the health cache
        let degraded = try await HTTP.get(edge2.baseURL + "/api/health")
        #expect(degraded.status == 503)
        #expect(degraded["checks"]?["filesystem"] == .bool(false))
    }
}
