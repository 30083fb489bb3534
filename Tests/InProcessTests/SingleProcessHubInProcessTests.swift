import AgentIMRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SingleProcessHub
import Testing

/// The whole hub as `agentim-server` builds it (`SingleProcessHub(runtime:)`), served
/// in-process: every service's routes behind the edge's middleware, one health for all.
@Suite struct SingleProcessHubInProcessTests {
    @Test func servesEveryServiceBehindTheEdgeAndNoInternalRoute() async throws {
        let uploads = FileManager.default.temporaryDirectory.appendingPathComponent("inproc-uploads-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: uploads) }
        let runtime = try await InProcessHub.runtime(role: "server", environment: ["UPLOAD_DIR": uploads])
        let hub = try SingleProcessHub(runtime: runtime)
        try await InProcessHub.test(hub) { http in
            let client = ServiceClient(client: http, token: nil)
            let health = try await client.send(.get, "/api/health")
            #expect(health.status == 200)
            #expect(health["checks"] == .object(["database": .bool(true), "filesystem": .bool(true)]))
            // Each service's routes answer through the one router (401: no token).
            for path in ["/api/users/me", "/api/rooms", "/api/routers", "/api/service-agents"] {
                #expect(try await client.send(.get, path).status == 401, "\(path)")
            }
            // Internal routes are never on the public listener.
            #expect(try await client.send(.get, "/internal/revocations").status == 404)
            #expect(try await client.send(.get, "/internal/health").status == 404)
        }
    }
}
