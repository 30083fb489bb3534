import Foundation

/// Inactivity and absolute timers of one run (§15.3). `touch()` on every output; `pause()` while
/// the agent legitimately waits (a permission request is with a person).
public final class Watchdog: @unchecked Sendable {
    public enum Reason: Sendable { case inactivity, absolute }

    private let timeouts: ProcessTimeouts
    private let onFire: @Sendable (Reason) -> Void
    private let lock = NSLock()
    private var lastActivity = ContinuousClock.now
    private var pauses = 0
    private var task: Task<Void, Never>?
    private var fired = false

    public init(timeouts: ProcessTimeouts, onFire: @escaping @Sendable (Reason) -> Void) {
        self.timeouts = timeouts
        self.onFire = onFire
    }

    public func start() {
        let started = ContinuousClock.now
        lock.withLock { lastActivity = started }
        task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                let now = ContinuousClock.now
                let absoluteLeft = started + .milliseconds(self.timeouts.absoluteMs) - now
                let (last, paused) = self.lock.withLock { (self.lastActivity, self.pauses > 0) }
                let idleLeft = paused ? Duration.seconds(3600) : last + .milliseconds(self.timeouts.inactivityMs) - now
                if absoluteLeft <= .zero { self.fire(.absolute); return }
                if idleLeft <= .zero { self.fire(.inactivity); return }
                let wait = min(absoluteLeft, idleLeft, .seconds(1))
                try? await Task.sleep(for: max(wait, .milliseconds(5)))
            }
        }
    }

    private func fire(_ reason: Reason) {
        let first = lock.withLock { () -> Bool in
            if fired { return false }
            fired = true
            return true
        }
        if first { onFire(reason) }
    }

    public func touch() { lock.withLock { lastActivity = ContinuousClock.now } }

    public func pause() { lock.withLock { pauses += 1 } }

    public func resume() {
        lock.withLock {
            pauses = max(0, pauses - 1)
            lastActivity = ContinuousClock.now
        }
    }

    public func cancel() { task?.cancel() }
}
