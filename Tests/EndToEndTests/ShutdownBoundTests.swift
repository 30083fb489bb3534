import AgentIMCore
import Foundation
import Testing

/// Every executable exits within 10 s of SIGTERM whatever its shutdown waits on (issue 22): a
/// part that never finishes is named in the log and the exit code is non-zero; with Redis
/// frozen under open sockets and unfinished work, each still exits in time.
@Suite(.serialized)
struct ShutdownBoundTests {
    static let executables = ["agentim-server", "agentim-auth", "agentim-rooms", "agentim-router", "agentim-uploads", "agentim-edge"]

    /// Each of the six executables, with sockets open where it has them.
    struct Running {
        var processes: [HubProcess] = []
        var sockets: [TestSocket] = []
        var gateways: [FakeGateway] = []
        var rooms: [(hub: Fixture, user: Fixture.User, room: String, client: TestSocket, gateway: FakeGateway)] = []

        func close() {
            sockets.forEach { $0.close() }
            gateways.forEach { $0.close() }
            processes.forEach { $0.stop() }
        }
    }

    static func startAll(_ extra: [String: String], topology: DistributedHub) async throws -> Running {
        var running = Running()
        let server = try await SingleProcessHubTests.startHub(extra: extra)
        running.processes.append(server)
        try await topology.startServices()
        let edge = try await topology.startEdge()
        running.processes += ["auth", "rooms", "router", "uploads"].compactMap { topology.services[$0] } + [edge]
        for process in [server, edge] {
            let hub = try await Fixture(base: process.baseURL, ws: process.wsURL)
            let s = try await AgentGatewayTests.setup(hub, agents: [("agent-stop-\(process.port)", "stopper")])
            running.sockets.append(s.client)
            running.gateways.append(s.gateway)
            running.rooms.append((hub, s.amy, s.room, s.client, s.gateway))
        }
        #expect(Set(running.processes.map(\.name)) == Set(executables))
        return running
    }

    /// SIGTERM to all at once; each one's exit status and time since its signal. (Waiting with
    /// `waitUntilExit` on Dispatch's global queue would signal only as many as there are cores.)
    static func terminateAll(_ processes: [HubProcess]) async throws -> [(HubProcess, status: Int32, took: Duration)] {
        try await withThrowingTaskGroup(of: (HubProcess, status: Int32, took: Duration).self) { group in
            for process in processes {
                let started = ContinuousClock.now
                kill(process.process.processIdentifier, SIGTERM)
                group.addTask {
                    while process.process.isRunning, ContinuousClock.now - started < .seconds(30) {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    let took = ContinuousClock.now - started
                    if process.process.isRunning { process.kill9() }
                    return (process, process.process.terminationStatus, took)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func aShutdownPartThatNeverFinishesIsNamedAndTheProcessExitsNonZeroWithinTenSeconds() async throws {
        let extra = ["NODE_ENV": "test", "AGENTIM_TEST_STALL_SHUTDOWN": "1"]
        let topology = try DistributedHub(extra: extra)
        defer { topology.stop() }
        let running = try await Self.startAll(extra, topology: topology)
        defer { running.close() }

        for (process, status, took) in try await Self.terminateAll(running.processes) {
            #expect(took < .seconds(10), "\(process.name) exited \(took) after SIGTERM")
            #expect(status != 0, "\(process.name) exited 0 although a part never finished")
            let line = process.log.split(separator: "\n").first { $0.contains("shutdown did not finish") }
            #expect(line?.contains("still running: ") == true && line?.contains("stalled test part") == true,
                    "\(process.name) names the unfinished part: \(process.log.suffix(2000))")
        }
    }

    /// Redis frozen (SIGSTOP: connections open, nothing answers) while sockets are open, a
    /// message and an agent's finished reply are on their way (the edge retries such a reply
    /// onto the bus for 30 s): every process still exits within 10 s of SIGTERM, and one that
    /// needed the watchdog says which part did not finish.
    @Test func everyExecutableExitsWithinTenSecondsWithRedisFrozenAndWorkInFlight() async throws {
        let redis = try OwnRedis()
        defer { redis.stop() }
        let extra = ["NODE_ENV": "test", "REDIS_URL": redis.url]
        let topology = try DistributedHub(extra: extra)
        defer { topology.stop() }
        let running = try await Self.startAll(extra, topology: topology)
        defer { running.close() }

        let pid = try Self.redisPid(redis)
        #expect(kill(pid, SIGSTOP) == 0)
        defer { kill(pid, SIGCONT) }
        for r in running.rooms {
            r.client.send(["type": "client:send_message", "roomId": r.room, "content": "in flight", "mentions": [], "clientMessageId": UUID().uuidString])
            r.gateway.complete(agent: "agent-stop-\(URL(string: r.hub.base)?.port ?? 0)", room: r.room, text: "a finished reply")
        }
        try await Task.sleep(for: .milliseconds(500))

        var seen: [String] = []
        for (process, status, took) in try await Self.terminateAll(running.processes) {
            seen.append("\(process.name): \(status) after \(took)")
            #expect(took < .seconds(10), "\(process.name) exited \(took) after SIGTERM: \(process.log.suffix(2000))")
            if status != 0 {
                #expect(process.log.contains("shutdown did not finish") && process.log.contains("still running: "),
                        "\(process.name) exited \(status) without naming what did not finish: \(process.log.suffix(2000))")
            }
        }
        print("shutdown with Redis frozen: \(seen.joined(separator: "; "))")
    }

    /// Issue 22's hang, found: after load grew the PostgreSQL pool and the pool's 30 s idle
    /// timeout closed most of its connections, the pool never finished on SIGTERM (the watchdog
    /// named PoolService and exited 1 at 9.5 s; before the watchdog the process stayed forever).
    /// Now the process exits 0 at once.
    @Test func theHubExitsZeroAfterItsDatabasePoolShrankWhileIdle() async throws {
        let hub = try await SingleProcessHubTests.startHub()
        defer { hub.stop() }
        let token = try await ChatScenario.login(hub.baseURL, "admin", ChatScenario.adminPassword)
        // 32 readers at once (curl: the tests' HTTP client keeps 8 connections per host): the
        // pool opens its 20 connections.
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "--parallel", "--parallel-max", "32", "-H", "Authorization: Bearer \(token)",
                          "\(hub.baseURL)/api/rooms?n=[1-2000]"]
        curl.standardOutput = FileHandle.nullDevice
        try curl.run()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { curl.waitUntilExit(); done.resume() }
        }
        #expect(curl.terminationStatus == 0)
        let connections = try TestEnvironment.psql(hub.environment["DATABASE_URL"] ?? "",
                                                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        #expect((Int(connections) ?? 0) > 10, "the pool grew: \(connections) connections")
        try await Task.sleep(for: .seconds(40))  // past the pool's idle timeout
        let exit = try await RedisRecoveryAndShutdownTests.terminate(hub)
        #expect(exit.status == 0, "exit status after SIGTERM: \(hub.log)")
        #expect(exit.took < .seconds(5), "exited \(exit.took) after SIGTERM: \(hub.log)")
        #expect(!hub.log.contains("shutdown did not finish"), "\(hub.log)")
    }

    /// The pid of `redis`'s server, asked while it still answers.
    static func redisPid(_ redis: OwnRedis) throws -> Int32 {
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        cli.arguments = ["-p", String(URL(string: redis.url)?.port ?? 0), "info", "server"]
        let out = Pipe()
        cli.standardOutput = out
        try cli.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        cli.waitUntilExit()
        let line = text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("process_id:") }
        return try #require(line.flatMap { Int32($0.dropFirst("process_id:".count).trimmingCharacters(in: .whitespaces)) })
    }
}
