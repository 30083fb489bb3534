import AgentIMCore
import Foundation
import Testing

/// Nothing lost, nothing doubled: sequence, idempotent send, catch-up, durability across
/// `kill -9`, and ordering with several rooms replicas.
@Suite(.serialized)
struct ReliabilityTests {
    static func seqs(_ frames: [JSONValue]) -> [Int] {
        frames.compactMap { $0["message"]?["seq"]?.numberValue.map { Int($0) } }
    }

    /// Reads `server:new_message` frames until `count` arrived or the socket goes quiet.
    static func collect(_ socket: TestSocket, count: Int, timeout: Duration = .seconds(15)) async -> [JSONValue] {
        var frames: [JSONValue] = []
        let deadline = ContinuousClock.now + timeout
        while frames.count < count, ContinuousClock.now < deadline {
            guard let frame = await socket.next(type: "server:new_message", timeout: deadline - ContinuousClock.now) else { break }
            frames.append(frame)
        }
        return frames
    }

    @Test func catchUpOnJoinAndIdempotentSend() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let roomId = try await hub.room("Sync", members: [amy])
        let sender = try await hub.socket(hub.adminToken, rooms: [roomId])
        defer { sender.close() }
        for i in 1...8 { _ = try await hub.send(sender, room: roomId, "m\(i)") }

        // A client that saw up to 3 gets 4...8 replayed in order, then live messages.
        let late = try await hub.socket(amy.token, rooms: [roomId], lastSeq: 3)
        defer { late.close() }
        let replayed = await Self.collect(late, count: 5)
        #expect(Self.seqs(replayed) == [4, 5, 6, 7, 8])
        _ = try await hub.send(sender, room: roomId, "m9")
        #expect(Self.seqs(await Self.collect(late, count: 1)) == [9])
        #expect(await late.next(type: "server:new_message", timeout: .milliseconds(500)) == nil, "no duplicates")

        // A retry with the same client id stores nothing twice. The socket that already has the
        // message does not get it twice; a socket not joined to the room (a reconnect that has not
        // rejoined yet) gets the same message directly, as the acknowledgement it asked for.
        let first = try await hub.send(sender, room: roomId, "once", extra: ["clientMessageId": "c-1"])
        sender.send(["type": "client:send_message", "roomId": roomId, "content": "once", "clientMessageId": "c-1"])
        #expect(await sender.next(type: "server:new_message", timeout: .milliseconds(800)) == nil, "no second copy for the sender")
        let retrier = try await hub.socket(hub.adminToken)
        defer { retrier.close() }
        retrier.send(["type": "client:send_message", "roomId": roomId, "content": "once", "clientMessageId": "c-1"])
        let again = try #require(await retrier.next(type: "server:new_message"))
        #expect(again["message"]?["id"] == first["id"])
        #expect(again["message"]?["seq"] == first["seq"])
        #expect(first["clientMessageId"] == .string("c-1"), "the socket frame pairs the sender's local copy")
        #expect(again["message"]?["clientMessageId"] == .string("c-1"))
        let history = try await hub.get("/api/messages/rooms/\(roomId)?limit=100")
        #expect(history.data?["items"]?.arrayValue?.filter { $0["content"]?.stringValue == "once" }.count == 1)
        #expect(history.data?["items"]?.arrayValue?.allSatisfy { $0["clientMessageId"] == nil } == true, "REST shapes are unchanged")
        #expect(Self.seqs(await Self.collect(late, count: 2, timeout: .seconds(2))) == [10], "other sockets see it once")
    }

    @Test func acknowledgedMessagesSurviveKillingTheSingleProcessHub() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        let roomId = try await hub.room("Durable")
        let socket = try await hub.socket(hub.adminToken, rooms: [roomId])
        var acknowledged: [String] = []
        for i in 1...20 { acknowledged.append(try #require(try await hub.send(socket, room: roomId, "d\(i)")["id"]?.stringValue)) }
        process.kill9()
        socket.close()
        let restarted = try process.restarted()
        defer { restarted.stop() }
        try await restarted.waitUntilHealthy(path: "/api/health")
        let token = try await ChatScenario.login(restarted.baseURL, "admin", ChatScenario.adminPassword)
        let history = try await HTTP.get(restarted.baseURL + "/api/messages/rooms/\(roomId)?limit=100", token: token)
        #expect(Set(history.data?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []) == Set(acknowledged))
    }

    @Test func hostileContentLeavesTheStoreClean() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let roomId = try await hub.room("Fuzz")
        let socket = try await hub.socket(hub.adminToken, rooms: [roomId])
        defer { socket.close() }
        let cases: [(String, String?)] = [
            (#"{"type":"client:send_message","roomId":"\#(roomId)","content":""}"#, "INVALID_MESSAGE"),
            (#"{"type":"client:send_message","roomId":"\#(roomId)","content":5}"#, "INVALID_MESSAGE"),
            (#"{"type":"client:send_message","roomId":"\#(roomId)"}"#, "INVALID_MESSAGE"),
            (#"{"type":"client:send_message","roomId":"\#(roomId)","content":"x","attachmentIds":[\#(Array(repeating: "\"a\"", count: 21).joined(separator: ","))]}"#, "INVALID_MESSAGE"),
            (#"{"type":"client:send_message","roomId":"\#(roomId)","content":"x","deep":\#(String(repeating: "[", count: 30))\#(String(repeating: "]", count: 30))}"#, "JSON_TOO_DEEP"),
            (#"{"type":"client:send_message","roomId":"\#(roomId)","content":"\#(String(repeating: "a", count: 70_000))"}"#, "MESSAGE_TOO_LARGE"),
            ("\u{0}\u{1}not json", "INVALID_JSON"),
        ]
        for (frame, code) in cases {
            socket.send(frame)
            #expect(await socket.next(type: "server:error")?["code"]?.stringValue == code, "\(frame.prefix(80))")
        }
        let tags = try await hub.send(socket, room: roomId, #"<img src="javascript:alert(1)" onerror="x()"><script>steal()</script><iframe src=x></iframe>ok"#)
        #expect(tags["content"]?.stringValue == #"<img src="">ok"#)
        let history = try await hub.get("/api/messages/rooms/\(roomId)")
        #expect(history.data?["items"]?.arrayValue?.count == 1, "only the sanitised message was stored")
        socket.send(["type": "client:ping", "ts": 3])
        #expect(await socket.next(type: "server:pong") != nil, "the socket survives refused frames")
    }

    /// Two rooms replicas and two edges on Redis. A receiver on edge 1 sees the sender's
    /// messages in sequence order; edge 1 is killed mid-stream and the receiver resumes on
    /// edge 2 from its last sequence; one rooms replica is killed too, and its unacknowledged
    /// commands are taken over. In the end the receiver has seen 1...N exactly once.
    @Test func orderedGapFreeDeliveryAcrossKilledProcesses() async throws {
        let redis = try #require(TestEnvironment.redis)
        let database = try TestEnvironment.freshDatabase()
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        let common = ["DATABASE_URL": database, "REDIS_URL": redis, "JWT_SECRET": "reliability-test-secret-long-enough-0123",
                      "ADMIN_PASSWORD": ChatScenario.adminPassword, "UPLOAD_DIR": upload, "BUS_RECLAIM_IDLE_MS": "1000", "NODE_ENV": "test",
                      "CLIENT_RATE_LIMIT_MAX": "1000"]
        var services: [String: HubProcess] = [:]
        for name in ["auth", "rooms", "router", "uploads"] { services[name] = try HubProcess("agentim-\(name)", environment: common) }
        let rooms2 = try HubProcess("agentim-rooms", environment: common)
        defer { services.values.forEach { $0.stop() }; rooms2.stop() }
        for process in services.values + [rooms2] { try await process.waitUntilHealthy(path: "/internal/health") }
        var edgeEnv = common
        edgeEnv["DATABASE_URL"] = nil
        for (name, process) in services { edgeEnv["\(name.uppercased())_URL"] = process.baseURL }
        let edge1 = try HubProcess("agentim-edge", environment: edgeEnv)
        let edge2 = try HubProcess("agentim-edge", environment: edgeEnv)
        defer { edge1.stop(); edge2.stop() }
        try await edge1.waitUntilHealthy(path: "/api/health")
        try await edge2.waitUntilHealthy(path: "/api/health")

        let hub2 = try await Fixture(base: edge2.baseURL, ws: edge2.wsURL)
        let hub1 = try await Fixture(base: edge1.baseURL, ws: edge1.wsURL)
        let amy = try await hub2.user("amy")
        let roomId = try await hub2.room("Stream", members: [amy])
        let sender = try await hub2.socket(hub2.adminToken, rooms: [roomId])
        let receiver = try await hub1.socket(amy.token, rooms: [roomId])
        defer { sender.close(); receiver.close() }

        let total = 60
        let sending = Task {
            for i in 1...total {
                sender.send(["type": "client:send_message", "roomId": roomId, "content": "s\(i)", "clientMessageId": "id-\(i)"])
                try? await Task.sleep(for: .milliseconds(15))
            }
        }
        var seen = Self.seqs(await Self.collect(receiver, count: 20))
        #expect(seen == Array(1...seen.count), "in order, no gap, before the crash")
        edge1.kill9()
        rooms2.kill9()  // one of the two replicas dies with whatever it had read
        await sending.value

        let resumed = try await hub2.socket(amy.token, rooms: [roomId], lastSeq: Int64(seen.last ?? 0))
        defer { resumed.close() }
        seen += Self.seqs(await Self.collect(resumed, count: total - seen.count, timeout: .seconds(30)))
        #expect(seen == Array(1...total), "exactly the sent sequence, once each")
        let history = try await hub2.get("/api/messages/rooms/\(roomId)?limit=100")
        #expect(history.data?["items"]?.arrayValue?.count == total)
    }
}
