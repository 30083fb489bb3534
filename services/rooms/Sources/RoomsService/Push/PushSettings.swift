import AgentIMCore
import AgentIMRuntime
import Foundation

/// Web Push as the runtime settings configure it (data-config-security §2.4): enabled when
/// `push.vapidPublicKey` and `push.vapidPrivateKey` hold a matching pair. A change made in
/// the admin panel reaches this process through `RuntimeSettings.reload`.
struct PushSettings {
    let keys: VAPIDKeys?
    let subject: String

    init(_ runtime: Runtime) {
        let settings = runtime.settings
        keys = VAPIDKeys(publicKey: settings.string("push.vapidPublicKey"), privateKey: settings.string("push.vapidPrivateKey"))
        let subject = settings.string("push.vapidSubject")
        self.subject = subject.isEmpty ? "mailto:noreply@agentim.app" : subject
    }
}

/// How the sender coalesces and retries; the environment may tune it (tests shorten the window).
struct PushTuning: Sendable {
    /// A burst is sent after this much quiet in the room…
    var quietMs = 3000
    /// …or at the latest this long after its first message, however busy the room stays.
    var maxDelayMs = 10_000
    /// Attempts per push when the push service answers 429/5xx or cannot be reached.
    var attempts = 4
    /// The first back-off; each retry doubles it (plus jitter), and a `Retry-After` up to 30 s wins.
    var backoffMs = 1000
    /// Messages older than this when the sender sees them are not pushed (a backlog replayed
    /// after an outage, or the events stream read from its start by a new consumer group).
    var staleAfterMs = 120_000

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func read(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            environment[key].flatMap { Int($0) }.flatMap { range.contains($0) ? $0 : nil }
        }
        quietMs = read("PUSH_COALESCE_QUIET_MS", 0...60_000) ?? quietMs
        maxDelayMs = max(quietMs, read("PUSH_COALESCE_MAX_MS", 0...300_000) ?? maxDelayMs)
        attempts = read("PUSH_MAX_ATTEMPTS", 1...10) ?? attempts
        backoffMs = read("PUSH_BACKOFF_MS", 10...60_000) ?? backoffMs
    }
}
