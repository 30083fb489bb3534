import AgentIMCore
import Foundation
import Testing

/// The person-to-person path every topology must carry: log in, create a user and a room,
/// two sockets join, one sends, the other receives, history holds the message.
enum ChatScenario {
    static let adminPassword = "AdminPass123!x"

    static func login(_ base: String, _ username: String, _ password: String) async throws -> String {
        let reply = try await HTTP.post(base + "/api/auth/login", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
        #expect(reply.status == 200, "login \(username): \(reply.body)")
        return try #require(reply.data?["accessToken"]?.stringValue)
    }

    /// Admin (alice) and a new user bob, both members of a new room, each with an authenticated
    /// socket that has joined it. The caller closes the sockets.
    struct Room {
        let id: String
        let adminToken: String
        let bobToken: String
        let alice: TestSocket
        let bob: TestSocket
        func close() { alice.close(); bob.close() }
    }

    static func room(senderBase: String, senderWS: String, receiverBase: String, receiverWS: String) async throws -> Room {
        let adminToken = try await login(senderBase, "admin", adminPassword)
        let created = try await HTTP.post(senderBase + "/api/users",
                                          json: #"{"username":"bob","password":"BobPass123","displayName":"Bob"}"#, token: adminToken)
        #expect(created.status == 200, "create user: \(created.body)")
        let bobId = try #require(created.data?["id"]?.stringValue)
        let bobToken = try await login(receiverBase, "bob", "BobPass123")

        let room = try await HTTP.post(senderBase + "/api/rooms", json: #"{"name":"Lobby"}"#, token: adminToken)
        #expect(room.status == 201, "create room: \(room.body)")
        let roomId = try #require(room.data?["id"]?.stringValue)
        let added = try await HTTP.post(senderBase + "/api/rooms/\(roomId)/members",
                                        json: #"{"memberId":"\#(bobId)","memberType":"user"}"#, token: adminToken)
        #expect(added.status == 201, "add member: \(added.body)")

        let alice = TestSocket(url: senderWS)
        let bob = TestSocket(url: receiverWS)
        #expect(await alice.authenticate(adminToken)?["ok"] == .bool(true))
        #expect(await bob.authenticate(bobToken)?["ok"] == .bool(true))
        alice.send(["type": "client:join_room", "roomId": roomId])
        bob.send(["type": "client:join_room", "roomId": roomId])
        // Joining is silent on success: a ping behind it proves it was processed.
        for socket in [alice, bob] {
            socket.send(["type": "client:ping", "ts": 1])
            #expect(await socket.next(type: "server:pong") != nil)
        }
        return Room(id: roomId, adminToken: adminToken, bobToken: bobToken, alice: alice, bob: bob)
    }

    /// Runs the scenario; `senderBase`/`receiverBase` may be different edges.
    static func run(senderBase: String, senderWS: String, receiverBase: String, receiverWS: String) async throws {
        let room = try await room(senderBase: senderBase, senderWS: senderWS, receiverBase: receiverBase, receiverWS: receiverWS)
        defer { room.close() }
        let (roomId, alice, bob, bobToken) = (room.id, room.alice, room.bob, room.bobToken)

        alice.send(["type": "client:send_message", "roomId": roomId, "content": "hello @bob <script>x()</script>", "mentions": []])
        let received = try #require(await bob.next(type: "server:new_message"), "bob got no server:new_message")
        let message = try #require(received["message"])
        #expect(message["content"]?.stringValue == "hello @bob ")
        #expect(message["senderName"]?.stringValue == "admin")
        #expect(message["mentions"] == .array([.string("bob")]))
        #expect(message["roomId"]?.stringValue == roomId)
        #expect(message["replyToId"] == nil, "absent optional fields are omitted on the wire")
        let echoed = try #require(await alice.next(type: "server:new_message"), "the sender's own socket gets the echo")
        #expect(echoed["message"]?["id"] == message["id"])

        let history = try await HTTP.get(receiverBase + "/api/messages/rooms/\(roomId)", token: bobToken)
        #expect(history.status == 200)
        let items = try #require(history.data?["items"]?.arrayValue)
        #expect(items.count == 1)
        #expect(items.first?["id"] == message["id"])
        #expect(history.data?["hasMore"] == .bool(false))
        #expect(history.data?["nextCursor"] == nil)
    }
}
