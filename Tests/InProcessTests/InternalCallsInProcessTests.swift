import AgentIMCore
import AgentIMRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RoomsService
import Testing

/// The rooms service's own internal handlers, reached both ways a caller reaches them: over
/// HTTP on the listener its process serves (`agentim-edge` → `agentim-rooms`), and directly
/// (`agentim-server`). Same database, same answers.
@Suite struct InternalCallsInProcessTests {
    @Test func roomsAnswersTheSameOverHTTPAndDirectly() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let rooms = try RoomsService(runtime: runtime)
        try await InProcessHub.test(rooms, .live) { client in
            let port = try #require(client.port)
            let http = InternalClient.http([.rooms: try #require(ServiceURL("http://127.0.0.1:\(port)"))])
            let direct = InternalClient.direct(rooms.internalHandlers)

            try await ServiceClient.insertUser(runtime, id: "u-ivy", username: "ivy")
            let token = try await InProcessHub.accessToken(runtime, userId: "u-ivy", username: "ivy")
            let created = try await ServiceClient(client: client, token: token).send(.post, "/api/rooms", #"{"name":"Internal"}"#)
            let roomId = try #require(created.data?["id"]?.stringValue, "\(created.body)")

            for (userId, roomId, access) in [("u-ivy", roomId, "creator"), ("u-nobody", roomId, "none"), ("u-ivy", "no-such-room", "missing")] {
                let member = RoomMember(roomId: roomId, userId: userId)
                let overHTTP = try await http.call(InternalRoutes.roomAccess, member)
                #expect(overHTTP == (try await direct.call(InternalRoutes.roomAccess, member)))
                #expect(overHTTP.access == access)
            }
            let page = RoomMessagesQuery(roomId: roomId, afterSeq: 0, limit: 5000)
            #expect(try await http.call(InternalRoutes.messagesAfter, page) == (try await direct.call(InternalRoutes.messagesAfter, page)))
            #expect(try await http.call(InternalRoutes.pendingPermissions, RoomRef(roomId: roomId)) == [])
            #expect(try await direct.call(InternalRoutes.pendingPermissions, RoomRef(roomId: roomId)) == [])

            // A gateway signs in and registers an agent through one client; both read the same rows.
            let login = GatewayLogin(userId: "u-ivy", gatewayId: "gw-ivy", deviceInfo: .object(["hostname": .string("box")]), ephemeral: false, liveSockets: 0)
            #expect(try await http.call(InternalRoutes.gatewayConnected, login) == GatewayAdmission(ok: true))
            #expect(try await direct.call(InternalRoutes.gatewayConnected, login) == GatewayAdmission(ok: true))
            let crowded = GatewayLogin(userId: "u-ivy", gatewayId: "gw-ivy-2", deviceInfo: .object([:]), ephemeral: false, liveSockets: 1000)
            #expect(try await http.call(InternalRoutes.gatewayConnected, crowded) == (try await direct.call(InternalRoutes.gatewayConnected, crowded)))
            #expect(try await http.call(InternalRoutes.gatewayConnected, crowded).ok == false)

            let agent = JSONValue.object(["id": .string("ag-ivy"), "name": .string("helper"), "type": .string("claude-code")])
            #expect(try await http.call(InternalRoutes.registerAgent, AgentRegistrationRequest(userId: "u-ivy", gatewayId: "gw-ivy", agent: agent)) == .registered)
            #expect(try await direct.call(InternalRoutes.registerAgent, AgentRegistrationRequest(userId: "u-other", gatewayId: "gw-x", agent: agent)) == .foreign)
            #expect(try await http.call(InternalRoutes.registerAgent, AgentRegistrationRequest(userId: "u-other", gatewayId: "gw-x", agent: agent)) == .foreign)
            for agentId in ["ag-ivy", "ag-none"] {
                let placement = try await http.call(InternalRoutes.placement, AgentRef(agentId: agentId))
                #expect(placement == (try await direct.call(InternalRoutes.placement, AgentRef(agentId: agentId))))
                #expect((placement?.name) == (agentId == "ag-ivy" ? "helper" : nil))
            }
            for owner in [GatewayOwner(gatewayId: "gw-ivy", userId: "u-ivy"), GatewayOwner(gatewayId: "gw-ivy", userId: "u-nobody")] {
                #expect(try await http.call(InternalRoutes.gatewayOnline, owner) == (try await direct.call(InternalRoutes.gatewayOnline, owner)))
            }
            #expect(try await http.call(InternalRoutes.gatewayOnline, GatewayOwner(gatewayId: "gw-ivy", userId: "u-ivy")) == true)
            // The platform's readiness, mounted by the same build.
            #expect(try await http.call(InternalRoutes.health, on: .rooms).checks["database"] == true)
        }
    }
}
