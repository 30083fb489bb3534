import AgentIMCore
import Foundation
import Testing

/// http-api §6 through the single-process hub: every status path and its WebSocket events.
@Suite(.serialized)
struct RoomsEndpointTests {
    @Test func createListShowAndAccessControl() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let eve = try await hub.user("eve")
        // Refusals of bad input at creation: RoomsRefusalsInProcessTests.

        let created = try await hub.post("/api/rooms", #"{"name":"<b>Plan</b>","memberIds":["\#(amy.id)","\#(amy.id)"],"systemPrompt":"be brief"}"#)
        #expect(created.status == 201)
        let room = try #require(created.data)
        #expect(room["name"]?.stringValue == "Plan")
        #expect(room["type"]?.stringValue == "group")
        #expect(room["routerId"] == .null)
        #expect(room["agentCommandRole"]?.stringValue == "member")
        #expect(room["members"] == nil)
        let roomId = try #require(room["id"]?.stringValue)

        let listed = try await hub.get("/api/rooms", amy.token)
        #expect(listed.data?.arrayValue?.count == 1)
        #expect(listed.data?.arrayValue?.first?["pinnedAt"] == .null)
        #expect(listed.data?.arrayValue?.first?["archivedAt"] == .null)
        #expect(try await hub.get("/api/rooms", eve.token).data == .array([]))

        let shown = try await hub.get("/api/rooms/\(roomId)", amy.token)
        #expect(shown.status == 200)
        #expect(shown.data?["totalMembers"] == .number(2))
        #expect(shown.data?["members"]?.arrayValue?.count == 2)
        #expect(try await hub.get("/api/rooms/\(roomId)", eve.token).error == "Not a member of this room")
        #expect(try await hub.get("/api/rooms/nosuchroom", eve.token).status == 404)
        #expect(try await hub.get("/api/rooms/bad!id", eve.token).error == "Invalid parameter: id")
        #expect(try await hub.get("/api/messages/rooms/\(roomId)", eve.token).status == 403)
        #expect(try await hub.get("/api/rooms/\(roomId)/members", eve.token).error == "Not a member of this room")

        let members = try await hub.get("/api/rooms/\(roomId)/members?limit=1&offset=0", amy.token)
        #expect(members["pagination"] == .object(["limit": .number(1), "offset": .number(0), "total": .number(2)]))
        #expect(members.data?.arrayValue?.count == 1)
        let all = try await hub.get("/api/rooms/\(roomId)/members", amy.token)
        let names = Set(all.data?.arrayValue?.compactMap { $0["displayName"]?.stringValue } ?? [])
        #expect(names == ["admin", "amy"])
    }

    @Test func updateMembersAndTheirEvents() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let bob = try await hub.user("bob")
        let roomId = try await hub.room("Ops", members: [amy])
        let adminSocket = try await hub.socket(hub.adminToken, rooms: [roomId])
        let amySocket = try await hub.socket(amy.token, rooms: [roomId])
        defer { adminSocket.close(); amySocket.close() }

        // Validation before permission; members cannot change settings.
        #expect(try await hub.put("/api/rooms/\(roomId)", #"{"name":""}"#, amy.token).status == 400)
        let denied = try await hub.put("/api/rooms/\(roomId)", #"{"name":"Mine"}"#, amy.token)
        #expect(denied.status == 403)
        #expect(denied.error == "Only room owner or admin can update settings")
        let updated = try await hub.put("/api/rooms/\(roomId)", #"{"name":"Ops 2","broadcastMode":true,"systemPrompt":null}"#)
        #expect(updated.status == 200)
        #expect(updated.data?["name"]?.stringValue == "Ops 2")
        #expect(updated.data?["broadcastMode"] == .bool(true))
        let update = try #require(await amySocket.next(type: "server:room_update"))
        #expect(update["room"]?["name"]?.stringValue == "Ops 2")
        #expect(update["room"]?["systemPrompt"] == nil, "frames omit null optional fields")
        #expect(update["members"]?.arrayValue?.count == 2)

        #expect(try await hub.post("/api/rooms/\(roomId)/members", #"{"memberId":"\#(bob.id)","memberType":"user"}"#, amy.token).error
                == "Only room owner or admin can add members")
        #expect(try await hub.post("/api/rooms/\(roomId)/members", #"{"memberId":"ghost","memberType":"user"}"#).error == "User not found")
        #expect(try await hub.post("/api/rooms/\(roomId)/members", #"{"memberId":"a1","memberType":"agent"}"#).error == "Agent not found")
        #expect(try await hub.post("/api/rooms/\(roomId)/members", #"{"memberId":"x"}"#).status == 400)
        let added = try await hub.post("/api/rooms/\(roomId)/members", #"{"memberId":"\#(bob.id)","memberType":"user","role":"admin"}"#)
        #expect(added.status == 201)
        #expect(added.body == .object(["ok": .bool(true)]))
        #expect(try await hub.post("/api/rooms/\(roomId)/members", #"{"memberId":"\#(bob.id)","memberType":"user"}"#).status == 409)

        // Bob (room admin) removes Amy: she is told and loses the subscription.
        let removed = try await hub.delete("/api/rooms/\(roomId)/members/\(amy.id)", nil, bob.token)
        #expect(removed.status == 200)
        #expect(await amySocket.next(type: "server:room_removed")?["roomId"]?.stringValue == roomId)
        _ = try await hub.send(adminSocket, room: roomId, "after removal")
        #expect(await amySocket.next(type: "server:new_message", timeout: .milliseconds(800)) == nil)
        #expect(try await hub.delete("/api/rooms/\(roomId)/members/\(hub.adminId)", nil, bob.token).error == "Cannot remove the room creator")
        #expect(try await hub.delete("/api/rooms/\(roomId)/members/\(hub.adminId)", nil, amy.token).error == "Only room owner or admin can remove members")

        // Per-user state.
        #expect(try await hub.put("/api/rooms/\(roomId)/pin", nil, bob.token).data?["pinned"] == .bool(true))
        #expect(try await hub.put("/api/rooms/\(roomId)/pin", nil, bob.token).data?["pinned"] == .bool(false))
        #expect(try await hub.put("/api/rooms/\(roomId)/archive", nil, bob.token).data?["archived"] == .bool(true))
        #expect(try await hub.put("/api/rooms/\(roomId)/pin", nil, amy.token).error == "Not a member")
        #expect(try await hub.put("/api/rooms/\(roomId)/notification-pref", #"{"pref":"loud"}"#, bob.token).error
                == "Invalid preference. Must be one of: all, mentions, none")
        #expect(try await hub.put("/api/rooms/\(roomId)/notification-pref", #"{"pref":"mentions"}"#, amy.token).status == 403)
        #expect(try await hub.put("/api/rooms/\(roomId)/notification-pref", #"{"pref":"mentions"}"#, bob.token).status == 200)

        // Clearing hides earlier history for the caller only.
        let cleared = try await hub.put("/api/rooms/\(roomId)/clear", nil)
        #expect(cleared.data?["clearedAt"]?.stringValue?.hasSuffix("Z") == true)
        #expect(await adminSocket.next(type: "server:room_cleared")?["roomId"]?.stringValue == roomId)
        #expect(try await hub.get("/api/messages/rooms/\(roomId)").data?["items"] == .array([]))
        #expect(try await hub.get("/api/messages/rooms/\(roomId)", bob.token).data?["items"]?.arrayValue?.count == 1)

        // Only the creator deletes; members are told.
        #expect(try await hub.delete("/api/rooms/\(roomId)", nil, bob.token).error == "Only room creator can delete")
        #expect(try await hub.delete("/api/rooms/\(roomId)").status == 200)
        #expect(await adminSocket.next(type: "server:room_removed")?["roomId"]?.stringValue == roomId)
        #expect(try await hub.get("/api/rooms/\(roomId)").status == 404)
        #expect(try await hub.delete("/api/rooms/\(roomId)").error == "Room not found")
    }
}
