import AgentIMCore
import Crypto
import Foundation
import Testing

/// `agentim-server` as one OS process with the in-memory bus (no Redis).
@Suite(.serialized)
struct SingleProcessHubTests {
    static let secret = "an-end-to-end-test-secret-that-is-long-enough"

    static func startHub(extra: [String: String] = [:]) async throws -> HubProcess {
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        var env = ["DATABASE_URL": try TestEnvironment.freshDatabase(), "ADMIN_PASSWORD": ChatScenario.adminPassword,
                   "JWT_SECRET": secret, "UPLOAD_DIR": upload, "REDIS_URL": "",
                   // HTTP rate limits are off under NODE_ENV=test (http-api §1.7): these suites make
                   // many requests; EdgeRateLimitTests checks the limits themselves.
                   "NODE_ENV": "test"]
        for (key, value) in extra { env[key] = value }
        let hub = try HubProcess("agentim-server", environment: env)
        try await hub.waitUntilHealthy(path: "/api/health")
        return hub
    }

    @Test func personToPersonChat() async throws {
        let hub = try await Self.startHub()
        defer { hub.stop() }
        let health = try await HTTP.get(hub.baseURL + "/api/health")
        #expect(health["ok"] == .bool(true))
        #expect(health["checks"] == .object(["database": .bool(true), "filesystem": .bool(true)]))
        #expect(health["timestamp"]?.stringValue?.hasSuffix("Z") == true)
        try await ChatScenario.run(senderBase: hub.baseURL, senderWS: hub.wsURL, receiverBase: hub.baseURL, receiverWS: hub.wsURL)
    }

    @Test func badInputGetsTheSpecsErrorsAndChangesNothing() async throws {
        let hub = try await Self.startHub()
        defer { hub.stop() }
        let base = hub.baseURL

        let malformed = try await HTTP.post(base + "/api/auth/login", json: "{not json")
        #expect(malformed.status == 400)
        #expect(malformed.error == "Invalid JSON body")

        let missing = try await HTTP.post(base + "/api/auth/login", json: #"{"username":"admin"}"#)
        #expect(missing.status == 400)
        #expect(missing.error == "Validation failed")
        #expect(missing["fields"] == .array([.object(["field": .string("password"), "message": .string("Required")])]))

        let wrong = try await HTTP.post(base + "/api/auth/login", json: #"{"username":"admin","password":"nope"}"#)
        #expect(wrong.status == 401)
        #expect(wrong.error == "Invalid credentials")
        let unknown = try await HTTP.post(base + "/api/auth/login", json: #"{"username":"ghost","password":"nope"}"#)
        #expect(unknown.status == 401)
        #expect(unknown.error == "Invalid credentials")

        let token = try await ChatScenario.login(base, "admin", ChatScenario.adminPassword)
        let forged = String(token.dropLast(3)) + (token.hasSuffix("AAA") ? "BBB" : "AAA")
        let forgedReply = try await HTTP.get(base + "/api/users/me", token: forged)
        #expect(forgedReply.status == 401)
        #expect(forgedReply.error == "Invalid or expired token")
        let expired = try Self.token(expiresIn: -60)
        let expiredReply = try await HTTP.get(base + "/api/users/me", token: expired)
        #expect(expiredReply.status == 401)
        #expect(expiredReply.error == "Invalid or expired token")
        let noHeader = try await HTTP.get(base + "/api/users/me")
        #expect(noHeader.status == 401)
        #expect(noHeader.error == "Unauthorized")

        let me = try await HTTP.get(base + "/api/users/me", token: token)
        #expect(me.status == 200)
        #expect(me.data?["username"]?.stringValue == "admin")
        #expect(me.data?["avatarUrl"] == .null)

        let badRoom = try await HTTP.post(base + "/api/rooms", json: #"{"name":"   "}"#, token: token)
        #expect(badRoom.status == 400)
        #expect(badRoom["fields"]?.arrayValue?.first?["message"]?.stringValue == "validation.nameWhitespace")
        let rooms = try await HTTP.get(base + "/api/rooms", token: token)
        #expect(rooms.data == .array([]), "a refused create stored nothing")

        for path in ["/internal/revocations", "/internal/rooms/r1/messages", "/internal/rooms/r1/access/u1"] {
            #expect(try await HTTP.get(base + path).status == 404, "\(path) is not on the public listener")
        }
        let unknownRoute = try await HTTP.get(base + "/api/nothing-here")
        #expect(unknownRoute.status == 404)
        #expect(unknownRoute["ok"] == .bool(false))

        // WebSocket: frames before auth, bad frames, rooms the user is not in.
        let socket = TestSocket(url: hub.wsURL)
        defer { socket.close() }
        socket.send(["type": "client:join_room", "roomId": "abc"])
        let early = await socket.next(type: "server:error")
        #expect(early?["code"]?.stringValue == "NOT_AUTHENTICATED")
        socket.send("{oops")
        #expect(await socket.next(type: "server:error")?["code"]?.stringValue == "INVALID_JSON")
        socket.send(["type": "client:unknown"])
        #expect(await socket.next(type: "server:error")?["code"]?.stringValue == "INVALID_MESSAGE")
        socket.send(["type": "client:ping", "ts": 42])
        #expect(await socket.next(type: "server:pong")?["ts"] == .number(42))
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        socket.send(#"{"type":"client:ping","ts":1,"x":\#(deep)}"#)
        #expect(await socket.next(type: "server:error")?["code"]?.stringValue == "JSON_TOO_DEEP")
        socket.send(["type": "client:ping", "ts": 1, "pad": String(repeating: "x", count: 70_000)])
        #expect(await socket.next(type: "server:error")?["code"]?.stringValue == "MESSAGE_TOO_LARGE")

        let badAuth = await socket.authenticate(forged)
        #expect(badAuth?["ok"] == .bool(false))
        #expect(badAuth?["error"]?.stringValue == "Invalid token")
        try await Task.sleep(for: .milliseconds(250))  // the attempt limiter's back-off
        let goodAuth = await socket.authenticate(token)
        #expect(goodAuth?["ok"] == .bool(true))
        #expect(goodAuth?["userId"]?.stringValue != nil)
        socket.send(["type": "client:join_room", "roomId": "no-such-room"])
        #expect(await socket.next(type: "server:error")?["code"]?.stringValue == "ROOM_NOT_FOUND")
        socket.send(["type": "client:send_message", "roomId": "no-such-room", "content": "hi"])
        #expect(await socket.next(type: "server:error")?["code"]?.stringValue == "ROOM_NOT_FOUND")
    }

    /// The batched send's access check: the room's creator and its members are stored, anyone
    /// else is refused and nothing of theirs is stored or delivered.
    @Test func sendsAreCheckedAgainstTheRoomsMembers() async throws {
        let hub = try await Self.startHub()
        defer { hub.stop() }
        let base = hub.baseURL
        let admin = try await AuthClient.admin(base)
        let bobId = try await AuthClient.createUser(base, admin: admin.accessToken, "bob", password: "BobPass123")
        try await AuthClient.createUser(base, admin: admin.accessToken, "eve", password: "EvePass123")
        let bob = try await AuthClient.login(base, "bob", "BobPass123")
        let eve = try await AuthClient.login(base, "eve", "EvePass123")
        let room = try await HTTP.post(base + "/api/rooms", json: #"{"name":"checked","memberIds":["\#(bobId)"]}"#, token: admin.accessToken)
        let roomId = try #require(room.data?["id"]?.stringValue)

        var sockets: [TestSocket] = []
        defer { sockets.forEach { $0.close() } }
        for session in [admin, bob, eve] {
            let socket = TestSocket(url: hub.wsURL)
            sockets.append(socket)
            #expect(await socket.authenticate(session.accessToken)?["ok"] == .bool(true))
        }
        let (owner, member, outsider) = (sockets[0], sockets[1], sockets[2])
        owner.send(["type": "client:join_room", "roomId": roomId])
        member.send(["type": "client:join_room", "roomId": roomId])
        try await Task.sleep(for: .milliseconds(200))

        for (socket, text) in [(owner, "from the creator"), (member, "from a member")] {
            socket.send(["type": "client:send_message", "roomId": roomId, "content": text])
            #expect(await owner.next(type: "server:new_message")?["message"]?["content"]?.stringValue == text)
            #expect(await member.next(type: "server:new_message")?["message"]?["content"]?.stringValue == text)
        }
        outsider.send(["type": "client:send_message", "roomId": roomId, "content": "let me in"])
        #expect(await outsider.next(type: "server:error")?["code"]?.stringValue == "NOT_A_MEMBER")
        #expect(await owner.next(type: "server:new_message", timeout: .seconds(1)) == nil, "the refused message went nowhere")
        let page = try await HTTP.get(base + "/api/messages/rooms/\(roomId)", token: admin.accessToken)
        let stored = (page.data?["items"]?.arrayValue ?? []).compactMap { $0["content"]?.stringValue }
        #expect(stored.sorted() == ["from a member", "from the creator"], "and was not stored")
    }

    @Test func unauthenticatedSocketIsClosedWith4001() async throws {
        let hub = try await Self.startHub()
        defer { hub.stop() }
        let socket = TestSocket(url: hub.wsURL)
        socket.send(["type": "client:ping", "ts": 1])
        #expect(await socket.next(type: "server:pong") != nil)
        #expect(await socket.closed(timeout: .seconds(9)) == 4001)
    }

    @Test func productionRefusesAWeakSecretWithOneLine() async throws {
        let process = try HubProcess("agentim-server", environment: [
            "NODE_ENV": "production", "JWT_SECRET": "short", "DATABASE_URL": "postgresql://x@127.0.0.1:1/x",
            "CORS_ORIGIN": "https://chat.example.com", "ENCRYPTION_KEY": String(repeating: "k", count: 40),
        ])
        process.process.waitUntilExit()
        #expect(process.process.terminationStatus == 1)
        let lines = process.log.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("JWT_SECRET is missing or too short (min 32 chars)") == true)
    }

    /// An access token for a user id that does not matter, signed with the hub's secret.
    static func token(expiresIn seconds: Int) throws -> String {
        func b64(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let now = Int(Date().timeIntervalSince1970)
        let header = b64(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = b64(Data(#"{"sub":"u1","username":"admin","type":"access","iss":"agentim","aud":"agentim","jti":"x","iat":\#(now - 120),"exp":\#(now + seconds)}"#.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "\(header).\(payload).\(b64(Data(mac)))"
    }
}
