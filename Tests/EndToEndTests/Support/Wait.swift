import Foundation

/// Waits on a condition instead of a fixed time: a test moves on as soon as the thing it
/// needs has happened, and a slow machine gets the whole deadline.
enum Wait {
    /// Polls `condition` every `interval` until it holds (true) or `timeout` passes (false).
    @discardableResult
    static func until(_ timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(50),
                      _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: interval)
        }
    }

    /// Until the wall clock is in a later whole second than when called. Revocation compares
    /// a token's issue time in whole seconds, so a token issued in the same second as a
    /// revocation is ordered wrongly one way or the other; hub and test share this clock.
    static func nextSecond() async {
        let now = Date().timeIntervalSince1970
        let next = now.rounded(.down) + 1
        try? await Task.sleep(for: .milliseconds(Int((next - now) * 1000) + 20))
    }

    /// Until at least `margin` seconds are left in the current 30-second TOTP period, so a code
    /// computed now is still the current one when the hub checks it.
    static func totpPeriod(margin: Int = 5) async {
        let now = Date().timeIntervalSince1970
        let left = 30 - now.truncatingRemainder(dividingBy: 30)
        if left < Double(margin) { try? await Task.sleep(for: .milliseconds(Int(left * 1000) + 50)) }
    }
}
