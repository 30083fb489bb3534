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

        let room = try await ChatScenario.room(senderBase: hub.baseURL, senderWS: hub.wsURL, receiverBase: hub.baseURL, receiverWS: hub.wsURL)
        defer { room.close() }
        let (roomId, alice, bob, bobToken) = (room.id, room.alice, room.bob, room.bobToken)
        alice.send(["type": "client:send_message", "roomId": roomId, "content": "before", "mentions": []])
        let before = await bob.next(type: "server:new_message")
        #expect(before?["message"]?["content"]?.stringValue == "before")

        // The hub's consumers re-create their streams and groups at once (DBSIZE is already back above 0).
        try await redis.send("FLUSHDB")

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

    /// The distributed topology on a Redis of its own, killed and started again empty on the
    /// same port: every consumer group (the audit one included, which looped on NOGROUP) is
    /// back, chat between two edges goes on, and every process then stops 0 within 10 s.
    @Test func distributedTopologyRecoversFromRedisRestartedEmpty() async throws {
        let redis = try OwnRedis()
        defer { redis.stop() }
        let database = try TestEnvironment.freshDatabase()
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        let common = ["DATABASE_URL": database, "REDIS_URL": redis.url, "JWT_SECRET": DistributedHub.secret,
                      "ADMIN_PASSWORD": ChatScenario.adminPassword, "UPLOAD_DIR": upload, "NODE_ENV": "test"]
        var processes: [HubProcess] = []
        defer { processes.forEach { $0.stop() } }
        var edgeEnv = common
        edgeEnv["DATABASE_URL"] = nil
        for name in ["auth", "rooms", "router", "uploads"] {
            let process = try HubProcess("agentim-\(name)", environment: common)
            processes.append(process)
            edgeEnv["\(name.uppercased())_URL"] = process.baseURL
        }
        for process in processes { try await process.waitUntilHealthy(path: "/internal/health") }
        let edge1 = try HubProcess("agentim-edge", environment: edgeEnv)
        let edge2 = try HubProcess("agentim-edge", environment: edgeEnv)
        processes += [edge1, edge2]
        try await edge1.waitUntilHealthy(path: "/api/health")
        try await edge2.waitUntilHealthy(path: "/api/health")

        let room = try await ChatScenario.room(senderBase: edge1.baseURL, senderWS: edge1.wsURL, receiverBase: edge2.baseURL, receiverWS: edge2.wsURL)
        defer { room.close() }
        let (roomId, alice, bob, bobToken) = (room.id, room.alice, room.bob, room.bobToken)
        alice.send(["type": "client:send_message", "roomId": roomId, "content": "before", "mentions": []])
        #expect(await bob.next(type: "server:new_message")?["message"]?["content"]?.stringValue == "before")

        try await redis.killAndStartEmpty()
        let client = try RedisClient(redis.url)
        defer { Task { await client.shutdown() } }
        // The audit consumer (auth) re-creates its group by itself, without traffic.
        let auditBack = await Wait.until(.seconds(15), every: .milliseconds(200)) {
            let groups = (try? await client.send("XINFO", "GROUPS", "agentim:cmd:audit"))?.array ?? []
            return groups.contains { ($0.array ?? []).contains { $0.string == "auth" } }
        }
        #expect(auditBack, "the audit group is back: \(processes[0].log)")
        _ = await Wait.until(.seconds(15), every: .milliseconds(200)) {
            (try? await HTTP.get(edge1.baseURL + "/api/health"))?.status == 200
        }

        // A client resends with the same clientMessageId until it sees its message (what the
        // web client does after an error); the hub stores it once.
        let clientMessageId = UUID().uuidString
        var after: JSONValue?
        let deadline = ContinuousClock.now + .seconds(20)
        while after == nil, ContinuousClock.now < deadline {
            alice.send(["type": "client:send_message", "roomId": roomId, "content": "after", "mentions": [], "clientMessageId": clientMessageId])
            after = await bob.next(type: "server:new_message", timeout: .seconds(3))
        }
        #expect(after?["message"]?["content"]?.stringValue == "after", "delivered after Redis restarted empty: \(processes.map(\.log))")
        let history = try await HTTP.get(edge2.baseURL + "/api/messages/rooms/\(roomId)", token: bobToken)
        let contents = (history.data?["items"]?.arrayValue ?? []).compactMap { $0["content"]?.stringValue }
        #expect(contents.sorted() == ["after", "before"], "each stored once: \(contents)")

        for process in processes {
            let looping = process.log.split(separator: "\n").filter { $0.contains("bus read failed") && $0.contains("NOGROUP") }
            #expect(looping.isEmpty, "\(process.name) re-creates vanished groups instead of looping: \(looping.prefix(3))")
        }
        for process in processes.reversed() {
            let exit = try await Self.terminate(process)
            #expect(exit.status == 0 && exit.took < .seconds(10), "\(process.name) exited \(exit.status) \(exit.took) after SIGTERM: \(process.log)")
        }
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

/// A redis-server without persistence on a free port, which a test may kill and start again
/// on the same port, empty (a restart without persistence, a failover to a fresh replica).
final class OwnRedis: @unchecked Sendable {
    let port = TestEnvironment.freePort()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-redis-\(UUID().uuidString)")
    private var process: Process?

    var url: String { "redis://127.0.0.1:\(port)" }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    func start() throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path]
        try server.run()
        process = server
        for _ in 0..<200 {
            if (try? TestEnvironment.run("/usr/bin/redis-cli", ["-p", String(port), "ping"])) == 0 { return }
            usleep(50_000)
        }
        throw TestSetupError("redis-server did not start on port \(port)")
    }

    func killAndStartEmpty() async throws {
        stopProcess()
        try await Task.sleep(for: .milliseconds(300))
        try start()
    }

    private func stopProcess() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func stop() {
        stopProcess()
        try? FileManager.default.removeItem(at: directory)
    }
}
