import AgentIMCore
import Foundation
import Testing

/// Revocation and settings across processes: every edge and every service acts on a
/// revocation, and a process that was down learns it at start. How fast (the one-second
/// promise) is measured by bench/revocation-latency.py, not asserted here: a loaded machine
/// must not turn a latency into a failure, nor a broken fan-out pass by luck.
@Suite(.serialized)
struct DistributedAuthTests {
    /// How long a process may take to act on a revocation or a settings change here.
    static let deadline: Duration = .seconds(10)

    @Test func revocationReachesEveryProcessAtOnceAndSurvivesRestarts() async throws {
        let hub = try DistributedHub()
        defer { hub.stop() }
        try await hub.startServices()
        let edge1 = try await hub.startEdge()
        let edge2 = try await hub.startEdge()

        let admin = try await AuthClient.admin(edge1.baseURL)
        let miaId = try await AuthClient.createUser(edge1.baseURL, admin: admin.accessToken, "mia", password: "MiaPass123")
        let mia = try await AuthClient.login(edge2.baseURL, "mia", "MiaPass123")
        #expect(try await HTTP.get(edge2.baseURL + "/api/rooms", token: mia.accessToken).status == 200)
        let onEdge1 = TestSocket(url: edge1.wsURL)
        let onEdge2 = TestSocket(url: edge2.wsURL)
        defer { onEdge1.close(); onEdge2.close() }
        #expect(await onEdge1.authenticate(mia.accessToken)?["ok"] == .bool(true))
        #expect(await onEdge2.authenticate(mia.accessToken)?["ok"] == .bool(true))

        // The admin resets mia's password through edge 1. From the answer on, every process
        // acts on it: both edges close mia's sockets, edge 2 refuses her token on a new
        // socket, and the rooms service refuses it on REST (all watched at the same time).
        let reset = try await HTTP.put(edge1.baseURL + "/api/users/\(miaId)", json: #"{"password":"MiaReset123"}"#, token: admin.accessToken)
        #expect(reset.status == 200)
        async let closed2 = Self.revokedAndClosed(onEdge2)
        async let closed1 = Self.revokedAndClosed(onEdge1)
        async let refusedByEdge2 = AuthClient.within(Self.deadline) {
            let socket = TestSocket(url: edge2.wsURL)
            defer { socket.close() }
            return await socket.authenticate(mia.accessToken)?["error"] == .string("Token revoked")
        }
        async let refusedByRooms = AuthClient.within(Self.deadline) {
            try await HTTP.get(edge2.baseURL + "/api/rooms", token: mia.accessToken).error == "Token revoked"
        }
        #expect(await closed2, "edge 2 closed mia's socket with SESSION_REVOKED and 1008")
        #expect(await closed1, "edge 1 too")
        #expect(await refusedByEdge2 != nil, "edge 2 refuses the old token")
        #expect(try await refusedByRooms != nil, "the rooms service refuses it")

        // Processes down during a revocation learn it before they answer again.
        await Wait.nextSecond()
        let again = try await AuthClient.login(edge1.baseURL, "mia", "MiaReset123")
        edge2.stopGracefully()
        hub.services["rooms"]?.stopGracefully()
        let second = try await HTTP.put(edge1.baseURL + "/api/users/\(miaId)", json: #"{"password":"MiaAgain123"}"#, token: admin.accessToken)
        #expect(second.status == 200)
        try await hub.restart("rooms")
        let edge3 = try await hub.startEdge()
        let late = TestSocket(url: edge3.wsURL)
        defer { late.close() }
        #expect(await late.authenticate(again.accessToken)?["error"] == .string("Token revoked"))
        #expect(try await HTTP.get(edge3.baseURL + "/api/rooms", token: again.accessToken).error == "Token revoked")

        // A restarted auth service loads the table, and hands it to the edges it serves.
        try await hub.restart("auth")
        #expect(try await HTTP.get(edge3.baseURL + "/api/users/me", token: again.accessToken).error == "Token revoked")
    }

    @Test func aSettingsChangeReachesTheOtherProcesses() async throws {
        let hub = try DistributedHub()
        defer { hub.stop() }
        try await hub.startServices()
        let edge = try await hub.startEdge()
        let replica = try await hub.replica("auth")
        defer { replica.stop() }

        let admin = try await AuthClient.admin(edge.baseURL)
        let changed = try await HTTP.put(edge.baseURL + "/api/admin/settings", json: #"{"changes":{"jwt.accessExpiry":"20m"}}"#,
                                         token: admin.accessToken)
        #expect(changed.status == 200)
        let took = try await AuthClient.within(Self.deadline) {
            let session = try await AuthClient.login(replica.baseURL, "admin", ChatScenario.adminPassword)
            let claims = AuthClient.claims(session.accessToken)
            return claims.flatMap { c in c["exp"]?.numberValue.flatMap { exp in c["iat"]?.numberValue.map { exp - $0 } } } == 1200
        }
        #expect(took != nil, "the other auth process signs with the new lifetime")
    }

    /// Whether `socket` gets `SESSION_REVOKED` and then close code 1008 within the deadline.
    static func revokedAndClosed(_ socket: TestSocket) async -> Bool {
        let start = ContinuousClock.now
        guard await socket.next(type: "server:error", timeout: deadline)?["code"] == .string("SESSION_REVOKED") else { return false }
        return await socket.closed(timeout: deadline - (ContinuousClock.now - start)) == 1008
    }
}
