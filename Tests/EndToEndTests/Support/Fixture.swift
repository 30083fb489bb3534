import AgentIMCore
import Foundation
import Testing

/// A running hub with an admin session, and helpers to make users, rooms and messages.
struct Fixture {
    let base: String
    let ws: String
    let adminToken: String
    let adminId: String

    static func singleProcess(extra: [String: String] = [:]) async throws -> (Fixture, HubProcess) {
        let hub = try await SingleProcessHubTests.startHub(extra: extra)
        return (try await Fixture(base: hub.baseURL, ws: hub.wsURL), hub)
    }

    init(base: String, ws: String) async throws {
        self.base = base
        self.ws = ws
        adminToken = try await ChatScenario.login(base, "admin", ChatScenario.adminPassword)
        adminId = try #require(try await HTTP.get(base + "/api/users/me", token: adminToken).data?["id"]?.stringValue)
    }

    struct User: Sendable {
        var id: String
        var username: String
        var token: String
    }

    func user(_ name: String) async throws -> User {
        let created = try await HTTP.post(base + "/api/users", json: #"{"username":"\#(name)","password":"Passw0rdXY"}"#, token: adminToken)
        #expect(created.status == 200, "create \(name): \(created.body)")
        let id = try #require(created.data?["id"]?.stringValue)
        return User(id: id, username: name, token: try await ChatScenario.login(base, name, "Passw0rdXY"))
    }

    /// A room created by `owner` (the admin when nil) with `members` added.
    func room(_ name: String = "Room", owner: User? = nil, members: [User] = []) async throws -> String {
        let token = owner?.token ?? adminToken
        let memberIds = members.map { "\"\($0.id)\"" }.joined(separator: ",")
        let reply = try await HTTP.post(base + "/api/rooms", json: #"{"name":"\#(name)","memberIds":[\#(memberIds)]}"#, token: token)
        #expect(reply.status == 201, "create room: \(reply.body)")
        return try #require(reply.data?["id"]?.stringValue)
    }

    /// An authenticated socket joined to `rooms`.
    func socket(_ token: String, rooms: [String] = [], lastSeq: Int64? = nil) async throws -> TestSocket {
        let socket = TestSocket(url: ws)
        let auth = await socket.authenticate(token)
        #expect(auth?["ok"] == .bool(true), "auth: \(String(describing: auth))")
        for room in rooms {
            var frame: [String: Any] = ["type": "client:join_room", "roomId": room]
            if let lastSeq { frame["lastSeq"] = lastSeq }
            socket.send(frame)
        }
        socket.send(["type": "client:ping", "ts": 7])
        _ = await socket.next(type: "server:pong")
        return socket
    }

    /// Sends a message and waits for the sender's echo; returns it.
    func send(_ socket: TestSocket, room: String, _ content: String, extra: [String: Any] = [:]) async throws -> JSONValue {
        var frame: [String: Any] = ["type": "client:send_message", "roomId": room, "content": content]
        for (key, value) in extra { frame[key] = value }
        socket.send(frame)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let echo = try #require(await socket.next(type: "server:new_message"), "no echo for \(content)")
            if echo["message"]?["senderType"]?.stringValue == "user", echo["message"]?["content"]?.stringValue == Sanitizer.content(content) {
                return try #require(echo["message"])
            }
        }
        Issue.record("no echo for \(content)")
        return .null
    }

    func get(_ path: String, _ token: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.get(base + path, token: token ?? adminToken)
    }

    func post(_ path: String, _ json: String?, _ token: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.post(base + path, json: json, token: token ?? adminToken)
    }

    func put(_ path: String, _ json: String?, _ token: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.send("PUT", base + path, body: json, token: token ?? adminToken)
    }

    func delete(_ path: String, _ json: String? = nil, _ token: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.send("DELETE", base + path, body: json, token: token ?? adminToken)
    }
}
