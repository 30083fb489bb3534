@testable import AgentIMBus
import AgentIMRedis
import Foundation
import Logging
import Testing

/// A follower with a batch handler hands each read's entries over at once, in order: the edge
/// writes them to its sockets with one flush per socket (a burst of agent chunks had cost a
/// writev per chunk per socket). Run on the in-process bus and on the test script's Redis.
struct FollowerBatchTests {
    /// Records every batch; holds the first in the handler until released, so entries pile up.
    final class Batches: @unchecked Sendable {
        private let lock = NSLock()
        private var released = false
        private var seen: [[String]] = []
        func release() { lock.withLock { released = true } }
        func handle(_ entries: [BusEntry]) async {
            let isFirst = lock.withLock {
                seen.append(entries.map { String(decoding: $0.payload, as: UTF8.self) })
                return seen.count == 1
            }
            while isFirst, !lock.withLock({ released }) { try? await Task.sleep(for: .milliseconds(10)) }
        }
        var batches: [[String]] { lock.withLock { seen } }
    }

    /// A batched follower of a new stream, from after its first entry, recording into `batches`.
    static func follow(_ bus: any Bus, into batches: Batches) async throws -> (stream: String, running: Task<Void, any Error>) {
        let stream = "agentim:test:batch:\(UUID().uuidString)"
        let before = try await bus.append(stream, Data("before".utf8))
        let follower = EventFollower.batched(bus: bus, stream: stream, startingAfter: before, logger: Logger(label: "test")) {
            await batches.handle($0)
        }
        return (stream, Task { try await follower.run() })
    }

    static func buses() throws -> [(String, any Bus)] {
        let url = try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"], "AGENTIM_TEST_REDIS is not set")
        return [("in-process", InMemoryBus()), ("redis", RedisBus(redis: try RedisClient(url)))]
    }

    @Test func entriesThatWaitedAreHandedOverInOneBatchInOrder() async throws {
        for (name, bus) in try Self.buses() {
            let batches = Batches()
            let (stream, running) = try await Self.follow(bus, into: batches)
            defer { running.cancel() }

            // The first entry is taken and held in the handler; thirty more wait behind it.
            try await bus.append(stream, Data("e0".utf8))
            let deadline = ContinuousClock.now + .seconds(10)
            while batches.batches.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            for index in 1...30 { try await bus.append(stream, Data("e\(index)".utf8)) }
            batches.release()
            while batches.batches.joined().count < 31, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }

            #expect(batches.batches.first == ["e0"], "\(name): \(batches.batches)")
            #expect(Array(batches.batches.dropFirst()) == [(1...30).map { "e\($0)" }], "\(name): the thirty in one batch, in order")
        }
    }

    /// Large entries come a few to a read (`EventFollower.readBudget`): a read's entries are held
    /// in several copies until handled, and 100 agent chunks of 32 KiB made an edge hold ~20 MB.
    @Test func largeEntriesAreReadAFewAtATime() async throws {
        let payload = { (index: Int) in Data("big\(index) ".utf8 + Array(repeating: UInt8(ascii: "x"), count: 32 << 10)) }
        for (name, bus) in try Self.buses() {
            let batches = Batches()
            let (stream, running) = try await Self.follow(bus, into: batches)
            defer { running.cancel() }

            // The first is taken and held; a hundred more wait behind it, as behind a blast.
            try await bus.append(stream, payload(0))
            let deadline = ContinuousClock.now + .seconds(10)
            while batches.batches.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            for index in 1...100 { try await bus.append(stream, payload(index)) }
            batches.release()
            while batches.batches.joined().count < 101, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }

            let sizes = batches.batches.map(\.count)
            let limit = EventFollower.readBudget / (32 << 10)
            #expect(sizes.dropFirst().allSatisfy { $0 <= limit }, "\(name): batches of \(sizes), at most \(limit) after the first")
            #expect(batches.batches.joined().map { String($0.prefix { $0 != " " }) } == (0...100).map { "big\($0)" }, "\(name): every entry, in order")
        }
        #expect(EventFollower.count(afterLargest: 200) == EventFollower.batch, "small events still come \(EventFollower.batch) to a read")
    }
}
