import AgentIMBus
import AgentIMRedis
import Foundation
import ServiceLifecycle
import Testing

/// Bus semantics, run against both implementations: the in-memory bus, and Redis streams
/// on the throwaway Redis of the test script.
struct BusTests {
    static func buses() -> [(String, any Bus)] {
        var buses: [(String, any Bus)] = [("memory", InMemoryBus())]
        if let url = ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"], let redis = try? RedisClient(url) {
            buses.append(("redis", RedisBus(redis: redis)))
        }
        return buses
    }

    static func stream() -> String { "agentim:test:\(UUID().uuidString)" }
    static func payload(_ text: String) -> Data { Data(text.utf8) }

    @Test func redisIsAvailableToTheSuite() {
        #expect(Self.buses().count == 2, "AGENTIM_TEST_REDIS must point at a running Redis")
    }

    /// The edges refuse chat sends past a backlog (`RoomsBacklog`): what a group has not
    /// acknowledged, read or not.
    @Test(arguments: buses().map(\.0))
    func backlogCountsWhatTheGroupHasNotAcknowledged(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        #expect(try await bus.backlog(stream, group: "g") == 0, "no stream yet")
        try await bus.createGroup(stream, group: "g")
        for i in 0..<5 { try await bus.append(stream, Self.payload("e\(i)")) }
        #expect(try await bus.backlog(stream, group: "g") == 5)
        let read = try await bus.readGroup(stream, group: "g", consumer: "c", count: 3, block: .milliseconds(100))
        #expect(read.count == 3)
        #expect(try await bus.backlog(stream, group: "g") == 5, "three pending, two unread")
        try await bus.ack(stream, group: "g", ids: read.prefix(2).map(\.id))
        #expect(try await bus.backlog(stream, group: "g") == 3)
        #expect(try await bus.backlog(stream, group: "other") == 0, "a group that does not exist")
    }

    @Test(arguments: buses().map(\.0))
    func entriesAreReadInOrder(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        let start = try await bus.lastID(stream)
        for i in 0..<20 { try await bus.append(stream, Self.payload("e\(i)")) }
        let entries = try await bus.read(stream, after: start, count: 100, block: .milliseconds(100))
        #expect(entries.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<20).map { "e\($0)" })
        let rest = try await bus.read(stream, after: entries.last!.id, count: 100, block: .milliseconds(50))
        #expect(rest.isEmpty)
    }

    /// Several appends at once (pipelined on Redis) land in order, each with its own id, and
    /// interleave correctly with single appends.
    @Test(arguments: buses().map(\.0))
    func appendsInOneCallKeepTheirOrder(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        let start = try await bus.lastID(stream)
        try await bus.append(stream, Self.payload("first"))
        let ids = try await bus.append(stream, contentsOf: (0..<50).map { Self.payload("b\($0)") }, maxLength: 1_000)
        try await bus.append(stream, Self.payload("last"))
        #expect(try await bus.append(stream, contentsOf: [], maxLength: 1_000).isEmpty)
        let entries = try await bus.read(stream, after: start, count: 100, block: .milliseconds(100))
        #expect(entries.map { String(decoding: $0.payload, as: UTF8.self) } == ["first"] + (0..<50).map { "b\($0)" } + ["last"])
        #expect(Array(entries.dropFirst().prefix(50).map(\.id)) == ids)
        #expect(Set(ids).count == 50)
    }

    /// A capped stream keeps its newest entries (at least `maxLength`, trimmed approximately as
    /// Redis's `MAXLEN ~`) and reads resume after any kept id, in order.
    @Test(arguments: buses().map(\.0))
    func cappedStreamKeepsTheNewestInOrder(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        var ids: [String] = []
        for i in 0..<1_000 { ids.append(try await bus.append(stream, Self.payload("e\(i)"), maxLength: 100)) }
        let kept = try await bus.read(stream, after: "0-0", count: 10_000, block: .milliseconds(50))
        #expect(kept.count >= 100 && kept.count < 1_000)
        #expect(kept.last?.id == ids.last)
        #expect(kept.map(\.id) == Array(ids.suffix(kept.count)))
        let next = try await bus.read(stream, after: ids[990], count: 3, block: .milliseconds(50))
        #expect(next.map { String(decoding: $0.payload, as: UTF8.self) } == ["e991", "e992", "e993"])
    }

    @Test(arguments: buses().map(\.0))
    func blockingReadWakesOnAppend(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        let start = try await bus.lastID(stream)
        async let waited = bus.read(stream, after: start, count: 10, block: .seconds(5))
        try await Task.sleep(for: .milliseconds(100))
        try await bus.append(stream, Self.payload("late"))
        let clock = ContinuousClock()
        let begin = clock.now
        let entries = try await waited
        #expect(entries.map { String(decoding: $0.payload, as: UTF8.self) } == ["late"])
        #expect(clock.now - begin < .seconds(4), "woken by the append, not by the timeout")
    }

    /// Reads that find nothing return at the end of their own block, whatever else waits: a
    /// short block begun after a long one is not held to the long one's deadline, and a read
    /// woken by an append leaves the others waiting.
    @Test(arguments: buses().map(\.0))
    func emptyReadsReturnAtTheirOwnDeadline(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let quiet = Self.stream(), busy = Self.stream()
        let start = try await bus.lastID(quiet)
        let clock = ContinuousClock()
        let begin = clock.now
        async let long = bus.read(quiet, after: start, count: 10, block: .seconds(3))
        async let woken = bus.read(busy, after: "0-0", count: 10, block: .seconds(3))
        try await Task.sleep(for: .milliseconds(50))
        async let short = bus.read(quiet, after: start, count: 10, block: .milliseconds(300))
        try await bus.append(busy, Self.payload("x"))
        #expect(try await woken.count == 1)
        #expect(try await short.isEmpty)
        let shortTook = clock.now - begin
        #expect(shortTook >= .milliseconds(300) && shortTook < .milliseconds(1_500), "short block ended on time: \(shortTook)")
        #expect(try await long.isEmpty)
        let longTook = clock.now - begin
        #expect(longTook >= .seconds(3) && longTook < .seconds(5), "long block ended on time: \(longTook)")
    }

    @Test(arguments: buses().map(\.0))
    func aGroupDeliversEachEntryToOneConsumer(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        try await bus.createGroup(stream, group: "g")
        try await bus.createGroup(stream, group: "g")  // idempotent, as replicas race to create it
        for i in 0..<10 { try await bus.append(stream, Self.payload("c\(i)")) }
        let first = try await bus.readGroup(stream, group: "g", consumer: "a", count: 4, block: .milliseconds(50))
        let second = try await bus.readGroup(stream, group: "g", consumer: "b", count: 100, block: .milliseconds(50))
        let third = try await bus.readGroup(stream, group: "g", consumer: "a", count: 100, block: .milliseconds(50))
        #expect(first.count == 4)
        #expect(second.count == 6)
        #expect(third.isEmpty)
        let all = (first + second).map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(all == (0..<10).map { "c\($0)" })
    }

    @Test(arguments: buses().map(\.0))
    func acknowledgedEntriesAreNotReclaimedButUnacknowledgedOnesAre(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        try await bus.createGroup(stream, group: "g")
        for i in 0..<3 { try await bus.append(stream, Self.payload("w\(i)")) }
        let taken = try await bus.readGroup(stream, group: "g", consumer: "dead", count: 10, block: .milliseconds(50))
        #expect(taken.count == 3)
        try await bus.ack(stream, group: "g", ids: [taken[0].id])
        // Not yet idle long enough: nothing to claim.
        #expect(try await bus.claimStale(stream, group: "g", consumer: "live", minIdle: .seconds(30), count: 10).isEmpty)
        try await Task.sleep(for: .milliseconds(150))
        let reclaimed = try await bus.claimStale(stream, group: "g", consumer: "live", minIdle: .milliseconds(100), count: 10)
        #expect(reclaimed.map(\.id) == [taken[1].id, taken[2].id], "the dead consumer's unacknowledged entries move to the live one")
        try await bus.ack(stream, group: "g", ids: reclaimed.map(\.id))
        try await Task.sleep(for: .milliseconds(150))
        #expect(try await bus.claimStale(stream, group: "g", consumer: "live", minIdle: .milliseconds(100), count: 10).isEmpty)
    }

    @Test(arguments: buses().map(\.0))
    func commandWorkerRetriesAFailedHandlerAndAcknowledgesSuccess(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        let seen = Seen()
        let worker = CommandWorker(bus: bus, stream: stream, group: "g", consumer: "w1", retryAfter: .milliseconds(300),
                                   logger: .init(label: "test")) { entry in
            let text = String(decoding: entry.payload, as: UTF8.self)
            if await seen.record(text) == 1 && text == "flaky" { throw CancellationError() }
        }
        let task = Task { try await worker.run() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        try await bus.append(stream, Self.payload("ok"))
        try await bus.append(stream, Self.payload("flaky"))
        let deadline = ContinuousClock.now + .seconds(10)
        while await seen.count("flaky") < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await seen.count("ok") == 1)
        #expect(await seen.count("flaky") == 2, "the failed entry stayed pending and was delivered again")
    }

    /// A consumer acknowledges what it handled together with its next read: the ids are done
    /// before the read returns, and the read still gives what came next.
    @Test(arguments: buses().map(\.0))
    func aReadCanAcknowledgeWhatTheReaderHandled(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        try await bus.createGroup(stream, group: "g")
        for i in 0..<5 { try await bus.append(stream, Self.payload("e\(i)")) }
        let first = try await bus.readGroup(stream, group: "g", consumer: "c", count: 3, block: .milliseconds(100))
        let second = try await bus.readGroup(stream, group: "g", consumer: "c", count: 3, block: .milliseconds(100),
                                             acknowledging: first.prefix(2).map(\.id))
        #expect(second.map { String(decoding: $0.payload, as: UTF8.self) } == ["e3", "e4"])
        #expect(try await bus.backlog(stream, group: "g") == 3, "e0 and e1 done; e2, e3, e4 pending")
        let none = try await bus.readGroup(stream, group: "g", consumer: "c", count: 3, block: .milliseconds(50),
                                           acknowledging: [first[2].id] + second.map(\.id))
        #expect(none.isEmpty)
        #expect(try await bus.backlog(stream, group: "g") == 0)
    }

    /// The worker's acknowledgements ride on its next read, so they land at once, not a block
    /// later; and what it handled while stopping is acknowledged before it returns.
    @Test(arguments: buses().map(\.0))
    func commandWorkerAcknowledgesAtOnceAndWhenItStops(kind: String) async throws {
        let bus = Self.buses().first { $0.0 == kind }!.1
        let stream = Self.stream()
        let seen = Seen()
        let held = Held()
        let worker = CommandWorker(bus: bus, stream: stream, group: "g", consumer: "w1", logger: .init(label: "test")) { entry in
            let text = String(decoding: entry.payload, as: UTF8.self)
            _ = await seen.record(text)
            if text == "last" { await held.wait() }
        }
        let group = ServiceGroup(services: [worker], logger: .init(label: "test"))
        async let running: Void = group.run()
        try await Task.sleep(for: .milliseconds(100))
        for i in 0..<3 { try await bus.append(stream, Self.payload("e\(i)")) }
        var deadline = ContinuousClock.now + .seconds(5)
        while await seen.count("e2") < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        // Within a fraction of the worker's one-second block.
        deadline = ContinuousClock.now + .milliseconds(500)
        var backlog = try await bus.backlog(stream, group: "g")
        while backlog > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            backlog = try await bus.backlog(stream, group: "g")
        }
        #expect(backlog == 0, "handled entries acknowledged with the next read")

        try await bus.append(stream, Self.payload("last"))
        deadline = ContinuousClock.now + .seconds(5)
        while await seen.count("last") < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await group.triggerGracefulShutdown()
        await held.open()
        try await running
        #expect(try await bus.backlog(stream, group: "g") == 0, "the entry handled while stopping is acknowledged")
    }

    /// A handler parked until the test lets it go.
    actor Held {
        private var isOpen = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func open() {
            isOpen = true
            waiters.forEach { $0.resume() }
            waiters = []
        }
    }

    actor Seen {
        var counts: [String: Int] = [:]
        func record(_ key: String) -> Int {
            counts[key, default: 0] += 1
            return counts[key]!
        }
        func count(_ key: String) -> Int { counts[key] ?? 0 }
    }
}
