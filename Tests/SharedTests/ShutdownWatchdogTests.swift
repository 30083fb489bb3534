@testable import AgentIMRuntime
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The watchdog that bounds a process's shutdown: armed by the graceful shutdown, it names the
/// parts that never finished and ends the process with a non-zero code.
@Suite struct ShutdownWatchdogTests {
    final class Terminations: Sendable {
        let calls = Mutex<[(Int32, [String])]>([])
        func record(_ code: Int32, _ unfinished: [String]) { calls.withLock { $0.append((code, unfinished)) } }
        var count: Int { calls.withLock { $0.count } }
        var first: (Int32, [String])? { calls.withLock { $0.first } }
    }

    final class Release: Sendable {
        let flag = Mutex(false)
    }

    struct Polite: Service {
        func run() async throws { try? await gracefulShutdown() }
    }

    @Test func namesTheUnfinishedPartAndExitsNonZeroAfterTheTimeout() async throws {
        let terminations = Terminations()
        let logger = Logger(label: "watchdog-test")
        let watchdog = ShutdownWatchdog(timeout: .milliseconds(300), logger: logger) { terminations.record($0, $1) }
        let release = Release()
        let stubborn = StubbornHandle(release: release)
        // A group signals its services last first: Polite hears of the shutdown and finishes.
        let group = ServiceGroup(services: [TrackedService(stubborn, parts: watchdog.parts, name: "Stubborn"),
                                            TrackedService(Polite(), parts: watchdog.parts),
                                            ShutdownWatchdogService(watchdog: watchdog)], logger: logger)
        async let running: Void = group.run()
        try await Task.sleep(for: .milliseconds(500))
        #expect(terminations.count == 0, "not armed before the shutdown starts")
        #expect(watchdog.parts.names == ["Polite", "Stubborn"])

        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        while terminations.count == 0, ContinuousClock.now - started < .seconds(3) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let took = ContinuousClock.now - started
        let call = try #require(terminations.first, "the watchdog fired")
        #expect(call.0 == 1)
        #expect(call.1 == ["Stubborn"], "only the part that never finished is named")
        #expect(took >= .milliseconds(300) && took < .seconds(2), "fired after its timeout: \(took)")

        release.flag.withLock { $0 = true }
        try await running
        #expect(terminations.count == 1, "fires once")
    }

    @Test func armingTwiceFiresOnce() async throws {
        let terminations = Terminations()
        let watchdog = ShutdownWatchdog(timeout: .milliseconds(100), exitCode: 3, logger: Logger(label: "watchdog-test")) { terminations.record($0, $1) }
        watchdog.arm()
        watchdog.arm()
        try await Task.sleep(for: .milliseconds(500))
        #expect(terminations.count == 1)
        #expect(terminations.first?.0 == 3)
        #expect(terminations.first?.1 == [])
    }

    @Test func runningPartsCountsRepeatedNames() async throws {
        let parts = RunningParts()
        parts.started("worker")
        parts.started("worker")
        parts.started("edge")
        parts.finished("worker")
        #expect(parts.names == ["edge", "worker"])
        try await parts.track("runtime shutdown") {
            #expect(parts.names == ["edge", "runtime shutdown", "worker"])
        }
        #expect(parts.names == ["edge", "worker"])
    }

    /// Ignores graceful shutdown and cancellation until the test releases it, as a part whose
    /// shutdown waits on something that never comes.
    struct StubbornHandle: Service {
        let release: Release
        func run() async throws {
            while !release.flag.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }
}
