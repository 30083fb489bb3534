import Foundation
import Testing

/// The five executables as separate OS processes over Redis, with two edges: a message
/// sent through one edge reaches a socket held by the other.
@Suite(.serialized)
struct DistributedTopologyTests {
    @Test func messageCrossesEdges() async throws {
        // A Redis database of its own: the edges' `api` budget (120 a minute per address) is kept
        // there, and other suites' hubs on the same address in the same minute would share it.
        let base = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        let hub = try DistributedHub(extra: ["REDIS_URL": base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/4"])
        defer { hub.stop() }
        try await hub.startServices()
        let edge1 = try await hub.startEdge()
        let edge2 = try await hub.startEdge()

        let health = try await HTTP.get(edge1.baseURL + "/api/health")
        #expect(health["checks"] == .object(["database": .bool(true), "redis": .bool(true), "filesystem": .bool(true)]))

        try await ChatScenario.run(senderBase: edge1.baseURL, senderWS: edge1.wsURL,
                                   receiverBase: edge2.baseURL, receiverWS: edge2.wsURL)

        // A service that is down makes the edge answer 503 with the check false.
        hub.services["uploads"]?.stopGracefully()
        // The edge caches health for two seconds: ask until it has noticed.
        var degraded = try await HTTP.get(edge2.baseURL + "/api/health")
        // Every 250 ms: the answer changes at most every 2 s, and each ask spends that budget.
        await Wait.until(every: .milliseconds(250)) {
            degraded = (try? await HTTP.get(edge2.baseURL + "/api/health")) ?? degraded
            return degraded.status != 200
        }
        #expect(degraded.status == 503)
        #expect(degraded["checks"]?["filesystem"] == .bool(false))
    }
}
