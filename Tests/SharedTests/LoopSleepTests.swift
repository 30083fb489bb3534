import AgentIMCore
import Testing

/// `LoopSleep` keeps `Task.sleep`'s contract: it waits at least as long as asked, and a
/// cancelled task's sleep ends at once with `CancellationError`.
struct LoopSleepTests {
    @Test func itSleepsAtLeastAsLongAsAsked() async throws {
        for wait in [Duration.milliseconds(1), .milliseconds(30), .milliseconds(120)] {
            let started = ContinuousClock.now
            try await LoopSleep.for(wait)
            #expect(ContinuousClock.now - started >= wait)
        }
        let started = ContinuousClock.now
        try await LoopSleep.until(started + .milliseconds(40))
        #expect(ContinuousClock.now >= started + .milliseconds(40))
    }

    @Test func aPastDeadlineOrNoDurationReturnsAtOnce() async throws {
        let started = ContinuousClock.now
        try await LoopSleep.until(started - .seconds(5))
        try await LoopSleep.for(.zero)
        try await LoopSleep.for(.seconds(-3))
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// A sleep of a minute, cancelled while it waits: it ends now, with the error.
    @Test func cancellingTheTaskEndsItsSleepWithCancellationError() async throws {
        let started = ContinuousClock.now
        let sleeper = Task { try await LoopSleep.for(.seconds(60)) }
        try await Task.sleep(for: .milliseconds(50))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aTaskAlreadyCancelledDoesNotSleep() async throws {
        let started = ContinuousClock.now
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await LoopSleep.for(.seconds(60))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
