import AgentIMCore
import AgentIMRedis
import Foundation
import Testing

/// `agentim-server` on Redis survives Redis losing everything (FLUSHDB of its database, as a
/// restart without persistence leaves it): the next message is delivered and stored. And a
/// hub process exits 0 within 10 s of SIGTERM, sockets open or not.
@Suite(.serialized)
struct RedisRecoveryAndShutdownTests {
    @Test func chatGoesOnAfterRedisLosesEverything() async throws {
        let base = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        // A database of its own: flushing it leaves the other suites' streams alone.
        let redisURL = base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/\(Int.random(in: 9...15))"
        let hub = try await SingleProcessHubTests.startHub(extra: ["REDIS_URL": redisURL])
        defer { hub.stop() }
        let redis = try RedisClient(redisURL)
        defer { Task { await redis.shutdown() } }

        let adminToken = try await ChatScenario.login(hub.baseURL, "admin", ChatScenario.adminPassword)
        let created = try await HTTP.post(hub.baseURL + "/api/users",
                                          json: #"{"username":"bob","password":"BobPass123","displayName":"Bob"}"#, token: adminToken)
        let bobId = try #require(created.data?["id"]?.stringValue, "create user: \(created.body)")
        let bobToken = try await ChatScenario.login(hub.baseURL, "bob", "BobPass123")
        let room = try await HTTP.post(hub.baseURL + "/api/rooms", json: #"{"name":"Lobby"}"#, token: adminToken)
        let roomId = try #require(room.data?["id"]?.stringValue, "create room: \(room.body)")
        let added = try await HTTP.post(hub.baseURL + "/api/rooms/\(roomId)/members",
                                        json: #"{"memberId":"\#(bobId)","memberType":"user"}"#, token: adminToken)
        #expect(added.status == 201, "add member: \(added.body)")

        let alice = TestSocket(url: hub.wsURL)
        let bob = TestSocket(url: hub.wsURL)
        defer { alice.close(); bob.close() }
        #expect(await alice.authenticate(adminToken)?["ok"] == .bool(true))
        #expect(await bob.authenticate(bobToken)?["ok"] == .bool(true))
        for socket in [alice, bob] {
            socket.send(["type": "client:join_room", "roomId": roomId])
            socket.send(["type": "client:ping", "ts": 1])
            #expect(await socket.next(type: "server:pong") != nil)
        }
        alice.send(["type": "client:send_message", "roomId": roomId, "content": "before", "mentions": []])
        let before = await bob.next(type: "server:new_message")
        #expect(before?["message"]?["content"]?.stringValue == "before")

        try await redis.send("FLUSHDB")
        #expect(try await redis.send("DBSIZE").int == 0)

        alice.send(["type": "client:send_message", "roomId": roomId, "content": "after", "mentions": [],
                    "clientMessageId": UUID().uuidString])
        let after = await bob.next(type: "server:new_message", timeout: .seconds(15))
        #expect(after?["message"]?["content"]?.stringValue == "after", "delivered after Redis lost everything: \(hub.log)")

        let history = try await HTTP.get(hub.baseURL + "/api/messages/rooms/\(roomId)", token: bobToken)
        let contents = (history.data?["items"]?.arrayValue ?? []).compactMap { $0["content"]?.stringValue }
        #expect(Set(contents) == ["before", "after"], "both stored once: \(contents)")
        let looping = hub.log.split(separator: "\n").filter { $0.contains("bus read failed") && $0.contains("NOGROUP") }
        #expect(looping.isEmpty, "a vanished group is re-created (one warning), not a read error in a loop: \(hub.log)")

        let exit = try await Self.terminate(hub)
        #expect(exit.status == 0, "exit status after SIGTERM: \(hub.log)")
        #expect(exit.took < .seconds(10), "exited \(exit.took) after SIGTERM")
    }

    @Test func theSingleProcessHubExitsZeroWithinTenSecondsOfSIGTERM() async throws {
        let hub = try await SingleProcessHubTests.startHub()
        defer { hub.stop() }
        let token = try await ChatScenario.login(hub.baseURL, "admin", ChatScenario.adminPassword)
        let socket = TestSocket(url: hub.wsURL)
        defer { socket.close() }
        #expect(await socket.authenticate(token)?["ok"] == .bool(true))
        let exit = try await Self.terminate(hub)
        #expect(exit.status == 0, "exit status after SIGTERM: \(hub.log)")
        #expect(exit.took < .seconds(10), "exited \(exit.took) after SIGTERM")
        #expect(!hub.log.contains("shutdown did not finish"), "\(hub.log)")
    }

    /// SIGTERM, then waits (off the cooperative pool) for the exit: its status and how long it took.
    static func terminate(_ hub: HubProcess) async throws -> (status: Int32, took: Duration) {
        let started = ContinuousClock.now
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                hub.stopGracefully()
                done.resume()
            }
        }
        return (hub.process.terminationStatus, ContinuousClock.now - started)
    }
}
