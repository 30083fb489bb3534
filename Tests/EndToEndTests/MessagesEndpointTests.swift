import AgentIMCore
import Foundation
import Testing

/// http-api §7 through the single-process hub: every status path and its WebSocket events.
@Suite(.serialized)
struct MessagesEndpointTests {
    @Test func historyReadEditDeleteReactForward() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let eve = try await hub.user("eve")
        let roomId = try await hub.room("Main", members: [amy])
        let other = try await hub.room("Other", members: [amy])
        let admin = try await hub.socket(hub.adminToken, rooms: [roomId, other])
        let amySocket = try await hub.socket(amy.token, rooms: [roomId])
        defer { admin.close(); amySocket.close() }

        var sent: [JSONValue] = []
        for i in 1...5 { sent.append(try await hub.send(admin, room: roomId, "message \(i)")) }
        let amyOwn = try await hub.send(amySocket, room: roomId, "amy here")
        #expect(sent.map { $0["seq"] } == (1...5).map { .number(Double($0)) }, "per-room sequence")

        // History: newest first, cursor paging, `after`, validation.
        let page = try await hub.get("/api/messages/rooms/\(roomId)?limit=2", amy.token)
        #expect(page.data?["items"]?.arrayValue?.map { $0["content"]?.stringValue } == ["amy here", "message 5"])
        #expect(page.data?["hasMore"] == .bool(true))
        let cursor = try #require(page.data?["nextCursor"]?.stringValue)
        let older = try await hub.get("/api/messages/rooms/\(roomId)?limit=2&cursor=\(cursor)", amy.token)
        #expect(older.data?["items"]?.arrayValue?.first?["content"]?.stringValue == "message 4")
        let pgCursor = cursor.replacingOccurrences(of: "T", with: "%20").replacingOccurrences(of: "Z", with: "%2B00")
        #expect(try await hub.get("/api/messages/rooms/\(roomId)?limit=2&cursor=\(pgCursor)", amy.token).data == older.data,
                "PostgreSQL's text form is accepted too")
        let after = try await hub.get("/api/messages/rooms/\(roomId)?after=\(try #require(sent[2]["createdAt"]?.stringValue))", amy.token)
        #expect(after.data?["items"]?.arrayValue?.count == 3)
        #expect(after.data?["nextCursor"] == nil)
        for bad in ["limit=0", "limit=101", "limit=abc", "cursor=yesterday"] {
            #expect(try await hub.get("/api/messages/rooms/\(roomId)?\(bad)").status == 400, "\(bad)")
        }

        // Recent and read marks.
        let recent = try await hub.get("/api/messages/recent", amy.token)
        #expect(recent.data?[roomId]?["content"]?.stringValue == "amy here")
        #expect(recent.data?[roomId]?["unread"] == .number(6))
        #expect(recent.data?[other] == nil, "rooms without messages are absent")
        #expect(try await hub.post("/api/messages/rooms/\(roomId)/read", nil, amy.token).status == 200)
        let receipt = try #require(await admin.next(type: "server:read_receipt"))
        #expect(receipt["userId"]?.stringValue == amy.id)
        #expect(receipt["username"]?.stringValue == "amy")
        #expect(try await hub.get("/api/messages/recent", amy.token).data?[roomId]?["unread"] == .number(0))
        #expect(try await hub.post("/api/messages/rooms/\(roomId)/read", nil, eve.token).status == 403)
        #expect(try await hub.post("/api/messages/mark-all-read", nil).status == 200)

        // Edit: validation, membership, sender only; history of edits; the room is told.
        let firstId = try #require(sent[0]["id"]?.stringValue)
        #expect(try await hub.put("/api/messages/\(firstId)", #"{"content":""}"#).status == 400)
        #expect(try await hub.put("/api/messages/nope", #"{"content":"x"}"#).error == "Message not found")
        #expect(try await hub.put("/api/messages/\(firstId)", #"{"content":"x"}"#, eve.token).error == "Not a member of this room")
        #expect(try await hub.put("/api/messages/\(firstId)", #"{"content":"x"}"#, amy.token).error == "Only the sender can edit this message")
        let edited = try await hub.put("/api/messages/\(firstId)", #"{"content":"fixed <script>x</script>"}"#)
        #expect(edited.data?["content"]?.stringValue == "fixed ")
        #expect(edited.data?["updatedAt"]?.stringValue != nil)
        #expect(await amySocket.next(type: "server:message_edited")?["message"]?["content"]?.stringValue == "fixed ")
        let edits = try await hub.get("/api/messages/\(firstId)/history", amy.token)
        #expect(edits.data?.arrayValue?.first?["previousContent"]?.stringValue == "message 1")

        // Reactions toggle.
        #expect(try await hub.post("/api/messages/\(firstId)/reactions", #"{"emoji":""}"#).error == "Invalid emoji")
        let reacted = try await hub.post("/api/messages/\(firstId)/reactions", #"{"emoji":"👍"}"#, amy.token)
        #expect(reacted.data == .array([.object(["emoji": .string("👍"), "userIds": .array([.string(amy.id)]), "usernames": .array([.string("amy")])])]))
        #expect(await admin.next(type: "server:reaction_update")?["messageId"]?.stringValue == firstId)
        #expect(try await hub.post("/api/messages/\(firstId)/reactions", #"{"emoji":"👍"}"#, amy.token).data == .array([]))

        // Threads.
        let reply = try await hub.send(admin, room: roomId, "a reply", extra: ["replyToId": firstId])
        #expect(reply["replyToId"]?.stringValue == firstId)
        let thread = try await hub.get("/api/messages/\(firstId)/thread", amy.token)
        #expect(thread.data?.arrayValue?.first?["content"]?.stringValue == "a reply")
        #expect(thread.data?.arrayValue?.first?["attachments"] == .array([]))
        #expect(try await hub.get("/api/messages/\(firstId)/replies/count", amy.token).data?["count"] == .number(1))

        // Delete: sender only; batch: admins delete all, others only their own.
        let secondId = try #require(sent[1]["id"]?.stringValue)
        #expect(try await hub.delete("/api/messages/\(secondId)", nil, amy.token).error == "Only the sender can delete this message")
        #expect(try await hub.delete("/api/messages/\(secondId)").status == 200)
        #expect(await amySocket.next(type: "server:message_deleted")?["messageId"]?.stringValue == secondId)
        let thirdId = try #require(sent[2]["id"]?.stringValue)
        let amyId = try #require(amyOwn["id"]?.stringValue)
        #expect(try await hub.post("/api/messages/batch-delete", #"{"messageIds":["\#(thirdId)"]}"#, amy.token).error
                == "No permission to delete these messages")
        #expect(try await hub.post("/api/messages/batch-delete", #"{"messageIds":["none"]}"#, amy.token).data == .object(["deleted": .number(0)]))
        #expect(try await hub.post("/api/messages/batch-delete", #"{"messageIds":[]}"#).status == 400)
        let otherMessage = try await hub.send(admin, room: other, "elsewhere")
        #expect(try await hub.post("/api/messages/batch-delete", #"{"messageIds":["\#(thirdId)","\#(otherMessage["id"]!.stringValue!)"]}"#).error
                == "All messages must belong to the same room")
        #expect(try await hub.post("/api/messages/batch-delete", #"{"messageIds":["\#(thirdId)","\#(amyId)"]}"#).data == .object(["deleted": .number(2)]))

        // Forward.
        let fourthId = try #require(sent[3]["id"]?.stringValue)
        #expect(try await hub.post("/api/messages/\(fourthId)/forward", #"{"targetRoomId":"\#(roomId)"}"#).error == "Cannot forward to the same room")
        #expect(try await hub.post("/api/messages/\(fourthId)/forward", #"{"targetRoomId":"\#(other)"}"#, eve.token).error == "Not a member of the source room")
        let forwarded = try await hub.post("/api/messages/\(fourthId)/forward", #"{"targetRoomId":"\#(other)"}"#)
        #expect(forwarded.status == 201)
        #expect(forwarded.data?["content"]?.stringValue == "[Forwarded from admin]\n\nmessage 4")
        #expect(await admin.next(type: "server:new_message")?["message"]?["roomId"]?.stringValue == other)
    }

    @Test func search() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let eve = try await hub.user("eve")
        #expect(try await hub.get("/api/messages/search?q=hello", eve.token).data == .object(["items": .array([]), "hasMore": .bool(false)]))
        let roomId = try await hub.room("Find")
        let socket = try await hub.socket(hub.adminToken, rooms: [roomId])
        defer { socket.close() }
        _ = try await hub.send(socket, room: roomId, "the Deploy went fine")
        _ = try await hub.send(socket, room: roomId, "100% done_ok")
        #expect(try await hub.get("/api/messages/search?q=d").status == 400)
        let found = try await hub.get("/api/messages/search?q=deploy")
        #expect(found.data?.arrayValue?.map { $0["content"]?.stringValue } == ["the Deploy went fine"])
        #expect(try await hub.get("/api/messages/search?q=0%25%20d").data?.arrayValue?.count == 1, "% is literal")
        #expect(try await hub.get("/api/messages/search?q=e_o").data?.arrayValue?.count == 1, "_ is literal")
        #expect(try await hub.get("/api/messages/search?q=deploy&roomId=elsewhere").error == "Room not found")
        #expect(try await hub.get("/api/messages/search?q=deploy&senderType=robot").status == 400)
        #expect(try await hub.get("/api/messages/search?q=deploy&dateFrom=2030-01-01&dateTo=2020-01-01")["fields"]?.arrayValue?.first?["message"]?.stringValue
                == "validation.dateFromBeforeDateTo")
        #expect(try await hub.get("/api/messages/search?q=deploy&dateFrom=2020-01-01").data?.arrayValue?.count == 1)
    }

    @Test func tasksAndBookmarks() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let eve = try await hub.user("eve")
        let roomId = try await hub.room("Work", members: [amy])

        #expect(try await hub.post("/api/tasks/rooms/\(roomId)", #"{"title":"x"}"#, eve.token).error == "Not a member of this room")
        #expect(try await hub.post("/api/tasks/rooms/\(roomId)", #"{"title":"  "}"#)["fields"]?.arrayValue?.first?["message"]?.stringValue == "validation.titleWhitespace")
        #expect(try await hub.post("/api/tasks/rooms/\(roomId)", #"{"title":"x","assigneeId":"\#(eve.id)"}"#).error == "Assignee is not a member of this room")
        let created = try await hub.post("/api/tasks/rooms/\(roomId)", #"{"title":"Ship it","assigneeId":"\#(amy.id)","dueDate":"2030-01-01T00:00:00Z"}"#)
        #expect(created.status == 201)
        #expect(created.data?["status"]?.stringValue == "pending")
        #expect(created.data?["assigneeType"]?.stringValue == "user")
        #expect(created.data?["result"] == .null)
        let taskId = try #require(created.data?["id"]?.stringValue)
        #expect(try await hub.get("/api/tasks", amy.token).data?.arrayValue?.count == 1)
        #expect(try await hub.get("/api/tasks/rooms/\(roomId)", eve.token).status == 403)

        #expect(try await hub.put("/api/tasks/\(taskId)", #"{"status":"completed"}"#, amy.token).data?["status"]?.stringValue == "completed")
        #expect(try await hub.put("/api/tasks/\(taskId)", #"{"status":"in_progress"}"#, amy.token).error == #"Cannot transition from "completed" to "in_progress""#)
        #expect(try await hub.put("/api/tasks/\(taskId)", #"{"status":"bogus"}"#).status == 400)
        #expect(try await hub.put("/api/tasks/nope", #"{"status":"failed"}"#).error == "Task not found")
        #expect(try await hub.put("/api/tasks/\(taskId)", #"{"assigneeId":null}"#).data?["assigneeId"] == .null)
        #expect(try await hub.put("/api/tasks/\(taskId)", #"{"assigneeType":"agent"}"#).error == "assigneeId is required when assigneeType is set")
        #expect(try await hub.delete("/api/tasks/\(taskId)", nil, amy.token).error == "Only task creator or room admin can delete")
        #expect(try await hub.delete("/api/tasks/\(taskId)").status == 200)

        let socket = try await hub.socket(hub.adminToken, rooms: [roomId])
        defer { socket.close() }
        let message = try await hub.send(socket, room: roomId, "keep this")
        let messageId = try #require(message["id"]?.stringValue)
        #expect(try await hub.post("/api/bookmarks", #"{"messageId":"nope"}"#).error == "Message not found")
        #expect(try await hub.post("/api/bookmarks", #"{"messageId":"\#(messageId)"}"#, eve.token).error == "Not a member of this room")
        let bookmark = try await hub.post("/api/bookmarks", #"{"messageId":"\#(messageId)","note":"later"}"#)
        #expect(bookmark.status == 201)
        #expect(try await hub.post("/api/bookmarks", #"{"messageId":"\#(messageId)"}"#).status == 409)
        let listed = try await hub.get("/api/bookmarks")
        #expect(listed.data?["items"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "keep this")
        #expect(listed.data?["hasMore"] == .bool(false))
        let bookmarkId = try #require(bookmark.data?["id"]?.stringValue)
        #expect(try await hub.delete("/api/bookmarks/\(bookmarkId)", nil, amy.token).error == "Bookmark not found")
        #expect(try await hub.delete("/api/bookmarks/\(bookmarkId)").data == .object(["id": .string(bookmarkId)]))
    }
}
