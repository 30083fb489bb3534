import AgentIMBus
import AgentIMRedis
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Redis is not the system of record: when it restarts empty (no persistence, a failover to a
/// fresh replica) or is flushed, the bus consumers re-create their streams and groups and go
/// on, each recovery logged once. Runs a Redis of its own (restarted and flushed here, so never
/// the suite's shared one) on a free port.
@Suite(.serialized) struct BusRecoveryTests {
    @Test func consumersRecoverWhenRedisRestartsEmpty() async throws {
        try await withConsumers { redis, _ in
            try await redis.killAndStartEmpty()
        }
    }

    @Test func consumersRecoverAfterFlushAll() async throws {
        try await withConsumers { redis, client in
            try await client.send("FLUSHALL")
        }
    }

    /// A fresh stream whose ids are lower than the follower's last one (a replica whose clock is
    /// behind): reading after the old id would wait until the clock caught up.
    @Test func followerRestartsOnAStreamWithLowerIDs() async throws {
        let redis = try ThrowawayRedis()
        defer { redis.stop() }
        let client = try RedisClient(redis.url)
        defer { Task { await client.shutdown() } }
        let bus = RedisBus(redis: client)
        let events = "agentim:test:events:\(UUID().uuidString)"
        let seen = Seen()
        let logs = CapturedLogs()
        let follower = EventFollower(bus: bus, stream: events, logger: logs.logger) { await seen.add(events, $0) }
        let group = ServiceGroup(services: [follower], logger: logs.logger)
        async let running: Void = group.run()

        try await until("the follower delivers before the reset") {
            try await bus.append(events, Data("before".utf8))
            return await seen.payloads(events).contains("before")
        }
        try await client.send("FLUSHALL")
        var next = 1
        try await until("the follower delivers from the new low-id stream") {
            try await client.sendBytes(["XADD", events, "1-\(next)", "d", "low-\(next)"].map { Array($0.utf8) })
            next += 1
            return await seen.payloads(events).contains { $0.hasPrefix("low-") }
        }
        let delivered = await seen.payloads(events).filter { $0.hasPrefix("low-") }
        #expect(delivered.first == "low-1", "the new stream is followed from its start: \(delivered)")
        #expect(logs.warnings(containing: "was reset").count == 1, "one warning per reset: \(logs.all)")
        await group.triggerGracefulShutdown()
        try await running
    }

    /// Runs a CommandWorker (group `auth`) and an EventFollower on a Redis of their own, checks
    /// both handle entries, applies `reset`, then publishes until both handle new entries.
    private func withConsumers(_ reset: (ThrowawayRedis, RedisClient) async throws -> Void) async throws {
        let redis = try ThrowawayRedis()
        defer { redis.stop() }
        let client = try RedisClient(redis.url)
        defer { Task { await client.shutdown() } }
        let bus = RedisBus(redis: client)
        let commands = "agentim:test:cmd:\(UUID().uuidString)", events = "agentim:test:events:\(UUID().uuidString)"
        let seen = Seen()
        let logs = CapturedLogs()
        let worker = CommandWorker(bus: bus, stream: commands, group: "auth", consumer: "c1", logger: logs.logger) { await seen.add(commands, $0) }
        let follower = EventFollower(bus: bus, stream: events, logger: logs.logger) { await seen.add(events, $0) }
        let group = ServiceGroup(services: [worker, follower], logger: logs.logger)
        async let running: Void = group.run()

        try await until("both consumers handle entries before the reset") {
            try await bus.append(commands, Data("before".utf8))
            try await bus.append(events, Data("before".utf8))
            let handled = await seen.payloads(commands).contains("before")
            let delivered = await seen.payloads(events).contains("before")
            return handled && delivered
        }
        try await reset(redis, client)
        var next = 0
        try await until("both consumers handle entries published after the reset") {
            next += 1
            // Redis may still be coming up: a failed publish is retried on the next round.
            _ = try? await bus.append(commands, Data("after-\(next)".utf8))
            _ = try? await bus.append(events, Data("after-\(next)".utf8))
            let handled = await seen.payloads(commands).contains { $0.hasPrefix("after-") }
            let delivered = await seen.payloads(events).contains { $0.hasPrefix("after-") }
            return handled && delivered
        }
        // The group is back, and the handled command was acknowledged in it (the XACK follows
        // the handler, so it may land a moment after the test saw the entry handled).
        try await until("the handled commands acknowledged in the re-created group") {
            try await client.send("XPENDING", commands, "auth").array?.first?.int == 0
        }
        #expect(logs.warnings(containing: "re-creating").count == 1, "one warning per recovery: \(logs.all)")
        await group.triggerGracefulShutdown()
        try await running
    }

    private func until(_ what: String, within limit: Duration = .seconds(15), _ attempt: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await attempt() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out after \(limit): \(what)")
        throw CancellationError()
    }

    actor Seen {
        var byStream: [String: [String]] = [:]
        func add(_ stream: String, _ entry: BusEntry) { byStream[stream, default: []].append(String(decoding: entry.payload, as: UTF8.self)) }
        func payloads(_ stream: String) -> [String] { byStream[stream] ?? [] }
    }
}

/// Log lines of the consumers under test, to count their warnings.
final class CapturedLogs: Sendable {
    let lines = Mutex<[(Logger.Level, String)]>([])

    var logger: Logger {
        Logger(label: "bus-recovery-test") { _ in Handler(sink: self) }
    }

    func warnings(containing text: String) -> [String] {
        lines.withLock { $0.filter { $0.0 == .warning && $0.1.contains(text) }.map(\.1) }
    }

    var all: [String] { lines.withLock { $0.map { "\($0.0): \($0.1)" } } }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            sink.lines.withLock { $0.append((level, message.description)) }
        }
    }
}

/// A redis-server without persistence on a free port, which a test may kill and start again
/// on the same port: it then comes back empty, as after a restart without persistence.
final class ThrowawayRedis: Sendable {
    let port: Int
    let directory: URL
    private let process = Mutex<Process?>(nil)

    var url: String { "redis://127.0.0.1:\(port)" }

    init() throws {
        port = Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    func start() throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path]
        try server.run()
        process.withLock { $0 = server }
        // Ready when it accepts connections.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(port) { return }
            usleep(50_000)
        }
        throw RedisError("redis-server did not start on port \(port)")
    }

    /// SIGKILL, then a new empty server on the same port.
    func killAndStartEmpty() async throws {
        if let server = process.withLock({ $0 }) {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(300))
        try start()
    }

    func stop() {
        if let server = process.withLock({ $0 }), server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let len = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) } } == 0
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
