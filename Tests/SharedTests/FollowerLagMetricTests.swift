import AgentIMBus
import AgentIMCore
import AgentIMRedis
import AgentIMRuntime
import Foundation
import Logging
import Testing

/// `agentim_bus_follower_lag_messages{stream}`: how many entries of a fan-out stream a
/// follower of this process (reading without a group) has not handled yet, measured on the
/// test script's Redis with a real follower whose handler is held back.
struct FollowerLagMetricTests {
    /// A handler that waits until released, so entries pile up behind it.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var open = false
        private(set) var handled = 0
        func release() { lock.withLock { open = true } }
        func pass() async {
            while !lock.withLock({ open }) { try? await Task.sleep(for: .milliseconds(10)) }
            lock.withLock { handled += 1 }
        }
        var count: Int { lock.withLock { handled } }
    }

    static func lag(_ stream: String) -> Double? {
        let prefix = #"agentim_bus_follower_lag_messages{stream="\#(stream)"} "#
        return Telemetry.exposition().split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }

    @Test func aFollowerHeldBackShowsItsLagAndZeroOnceCaughtUp() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"], "AGENTIM_TEST_REDIS is not set")
        let redis = try RedisClient(url)
        let bus = RedisBus(redis: redis)
        let stream = "agentim:test:follow:\(UUID().uuidString)"
        try await bus.append(stream, Data("before".utf8))
        let gate = Gate()
        let follower = EventFollower(bus: bus, stream: stream, logger: Logger(label: "test")) { _ in await gate.pass() }
        let running = Task { try await follower.run() }
        defer { running.cancel() }

        // Following from the newest entry: nothing behind yet.
        try await Task.sleep(for: .milliseconds(300))
        await RuntimeMetrics.refreshFollowers(redis)
        #expect(Self.lag(stream) == 0, "\(Telemetry.exposition().suffix(2000))")

        // Five entries; the first is taken and held in the handler: all five are unhandled.
        for index in 0..<5 { try await bus.append(stream, Data("e\(index)".utf8)) }
        try await Task.sleep(for: .milliseconds(300))
        await RuntimeMetrics.refreshFollowers(redis)
        #expect(Self.lag(stream) == 5)

        // Released: the follower catches up and the lag returns to zero.
        gate.release()
        let deadline = ContinuousClock.now + .seconds(10)
        while gate.count < 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(gate.count == 5)
        await RuntimeMetrics.refreshFollowers(redis)
        #expect(Self.lag(stream) == 0)
        _ = try? await redis.send("DEL", stream)
    }
}
