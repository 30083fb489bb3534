import AgentIMCore
import Foundation
import Testing

/// `GET /api/admin/metrics` (http-api §2), the admin dashboard's source, on the single
/// process and on an edge of the distributed topology (where auth answers the role).
@Suite(.serialized)
struct AdminMetricsTests {
    @Test func adminsSeeLiveCountsOthersAreRefused() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let lena = try await hub.user("lena")
        let room = try await hub.room("Metrics", members: [lena])

        try await expectRefusals(hub, user: lena)

        let socket = try await hub.socket(lena.token, rooms: [room])
        defer { socket.close() }
        _ = try await hub.send(socket, room: room, "counted")
        let gateway = try await FakeGateway.connect(ws: hub.ws, token: hub.adminToken)
        defer { gateway.close() }
        await gateway.register(id: Nanoid.make(), name: "metrics-bot")

        let reply = try await hub.get("/api/admin/metrics")
        #expect(reply.status == 200, "\(reply.body)")
        let data = try #require(reply.data)
        #expect(data["connections"]?["clients"] == .number(1))
        #expect(data["connections"]?["gateways"] == .number(1))
        #expect(data["connections"]?["onlineUsers"] == .number(1))
        #expect(data["connections"]?["connectedAgents"] == .number(1))
        #expect(data["infrastructure"]?["redisEnabled"] == .bool(false))
        #expect(data["activity"]?["activeRooms"] == .number(1))
        #expect(data["activity"]?["messagesTotal"]?[#"type="user""#] == .number(1), "\(data["activity"] ?? .null)")
        #expect((data["process"]?["rssBytes"]?.numberValue ?? 0) > 0)
        #expect(data["process"]?["uptimeSeconds"]?.numberValue != nil)
        #expect(Timestamp.parse(data["timestamp"]?.stringValue ?? "") != nil)
        #expect(data["performance"]?["agentResponse"] == .object([:]), "never observed, so empty")

        // The request histograms: every earlier request of this test is in one of them.
        let http = try #require(data["performance"]?["httpRequest"]?.objectValue)
        let users = try #require(http[#"method="POST",path="/api/users""#], "\(http.keys.sorted())")
        #expect(users["count"] == .number(1))
        #expect(users["buckets"]?.arrayValue?.count == 11)
        #expect(users["counts"]?.arrayValue?.compactMap(\.numberValue).reduce(0, +) == 1)
        let p50 = try #require(users["p50"]?.numberValue)
        #expect(p50 > 0 && p50 <= 10)
    }

    @Test func anEdgeAsksAuthForTheRole() async throws {
        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        let edge = try await topology.startEdge()
        let hub = try await Fixture(base: edge.baseURL, ws: edge.wsURL)
        let lena = try await hub.user("lena")
        try await expectRefusals(hub, user: lena)
        let reply = try await hub.get("/api/admin/metrics")
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.data?["infrastructure"]?["redisEnabled"] == .bool(true))

        // A demoted admin is refused once the role cache lets go (15 s at most): promote lena, then demote her.
        #expect(try await hub.put("/api/users/\(lena.id)", #"{"role":"admin"}"#).status == 200)
        let promoted = try await waitFor(hub, token: lena.token, status: 200)
        #expect(promoted, "a promoted user sees the metrics")
    }

    private func expectRefusals(_ hub: Fixture, user: Fixture.User) async throws {
        let anonymous = try await HTTP.get(hub.base + "/api/admin/metrics")
        #expect(anonymous.status == 401)
        #expect(anonymous.error == "Unauthorized")
        let forbidden = try await HTTP.get(hub.base + "/api/admin/metrics", token: user.token)
        #expect(forbidden.status == 403)
        #expect(forbidden.error == "Forbidden")
        let garbage = try await HTTP.get(hub.base + "/api/admin/metrics", token: "not-a-token")
        #expect(garbage.status == 401)
    }

    /// Polls until the metrics answer `status` for `token` (the auth role cache keeps a role 15 s).
    private func waitFor(_ hub: Fixture, token: String, status: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await HTTP.get(hub.base + "/api/admin/metrics", token: token).status == status { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}
