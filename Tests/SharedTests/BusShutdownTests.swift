import AgentIMBus
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// A graceful shutdown ends the bus consumers' blocking reads at once: a process (and every
/// test that stops one) used to wait out each loop's one-second block, one loop after another.
@Suite struct BusShutdownTests {
    actor Seen {
        var streams: Set<String> = []
        func add(_ stream: String) { streams.insert(stream) }
    }

    @Test func consumersStopAtOnceOnAGracefulShutdown() async throws {
        let bus = InMemoryBus()
        let logger = Logger(label: "bus-shutdown-test")
        let seen = Seen()
        let commands = "agentim:test:cmd:\(UUID().uuidString)", events = "agentim:test:events:\(UUID().uuidString)"
        let worker = CommandWorker(bus: bus, stream: commands, group: "g", consumer: "c", logger: logger) { _ in await seen.add(commands) }
        let follower = EventFollower(bus: bus, stream: events, logger: logger) { _ in await seen.add(events) }
        let group = ServiceGroup(services: [worker, follower], logger: logger)
        async let running: Void = group.run()

        // Once each loop has handled an entry, both are back in a read with a whole block ahead.
        let deadline = ContinuousClock.now + .seconds(10)
        while await seen.streams.count < 2, ContinuousClock.now < deadline {
            _ = try await bus.append(commands, Data("c".utf8))
            _ = try await bus.append(events, Data("e".utf8))
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await seen.streams.count == 2, "both consumers handled an entry")

        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running
        let took = ContinuousClock.now - started
        #expect(took < .milliseconds(500), "the consumers took \(took) to stop (a one-second block each before)")
    }
}
