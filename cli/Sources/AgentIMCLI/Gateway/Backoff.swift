/// Reconnect delays (agent-cli.md §8.5): interval + random(0…interval), interval ×1.5 up to 30 s,
/// reset on every successful open; one fast reconnect (1000 + random(0…500)) after a pong timeout.
public struct Backoff: Sendable {
    public let initialMs: Int
    public let maxMs: Int
    public private(set) var intervalMs: Int
    public private(set) var attempts = 0
    private var fastNext = false

    public init(initialMs: Int = 3000, maxMs: Int = 30000) {
        self.initialMs = initialMs
        self.maxMs = maxMs
        intervalMs = initialMs
    }

    public mutating func reset() { intervalMs = initialMs; attempts = 0; fastNext = false }
    public mutating func armFastPath() { fastNext = true }

    /// Delay before the next attempt; `random` returns a value in 0…bound (injectable for tests).
    public mutating func nextDelayMs(random: (Int) -> Int = { Int.random(in: 0...$0) }) -> Int {
        attempts += 1
        if fastNext {
            fastNext = false
            return 1000 + random(500)
        }
        let delay = intervalMs + random(intervalMs)
        intervalMs = min(intervalMs * 3 / 2, maxMs)
        return delay
    }

    /// Attempts 1–5 and every 10th are logged.
    public var shouldLog: Bool { attempts <= 5 || attempts % 10 == 0 }
}
