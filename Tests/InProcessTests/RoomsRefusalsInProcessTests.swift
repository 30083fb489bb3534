import AgentIMCore
import AgentIMRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import RoomsService
import Testing

/// `POST /api/rooms` refusals (http-api §6) through the rooms service built in-process as
/// `agentim-rooms` builds it (moved from RoomsEndpointTests, which keeps the rooms' life
/// with its WebSocket events on a hub process).
@Suite struct RoomsRefusalsInProcessTests {
    @Test func creatingARoomRefusesBadInputAndStoresNothing() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let rooms = try RoomsService(runtime: runtime)
        try await InProcessHub.test(rooms) { client in
            try await ServiceClient.insertUser(runtime, id: "u-admin", username: "admin", role: "admin")
            let hub = ServiceClient(client: client, token: try await InProcessHub.accessToken(runtime, userId: "u-admin", username: "admin"))

            let bad = try await hub.send(.post, "/api/rooms", #"{"name":"x","type":"public"}"#)
            #expect(bad.status == 400)
            #expect(bad["fields"]?.arrayValue?.first?["message"]?.stringValue == "Invalid enum value. Expected 'private' | 'group', received 'public'")
            let unknownMember = try await hub.send(.post, "/api/rooms", #"{"name":"x","memberIds":["nobody"]}"#)
            #expect(unknownMember.status == 400)
            #expect(unknownMember.error == "One or more users not found")
            let router = try await hub.send(.post, "/api/rooms", #"{"name":"x","routerId":"r1"}"#)
            #expect(router.status == 404)
            #expect(router.error == "Router not found")
            #expect(try await hub.send(.get, "/api/rooms").data == .array([]), "nothing was stored")
        }
    }
}
