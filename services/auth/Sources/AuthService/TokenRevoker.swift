import AgentIMCore
import AgentIMRuntime
import Foundation
import Logging
import PostgresNIO

/// Revokes every token a user holds, by time (data-config-security §3.4): a token whose
/// `iat × 1000` is before the revocation is dead. The `revoked_tokens` row is the source of
/// truth (written in the caller's transaction, so it commits with the change that causes
/// it); after commit `announce` records it locally and publishes it on the control stream,
/// where every process updates its cache and every edge closes the user's sockets.
struct TokenRevoker: Sendable {
    let runtime: Runtime
    let store: RevokedTokenStore
    var logger: Logger { runtime.logger }

    /// Writes the row inside `connection`'s transaction; returns the revocation time (ms).
    /// The row lives as long as an access token issued now.
    func persist(userId: String, on connection: PostgresConnection) async throws -> Int64 {
        let revokedAtMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let lifetime = runtime.settings.seconds("jwt.accessExpiry", fallback: 900)
        let expiresAt = Date(timeIntervalSince1970: Double(revokedAtMs) / 1000).addingTimeInterval(TimeInterval(lifetime))
        try await store.insert(userId: userId, revokedAtMs: revokedAtMs, expiresAt: expiresAt, on: connection)
        return revokedAtMs
    }

    /// After commit: this process's cache at once, then the bus for every other process.
    /// A failed publish is retried briefly; the row still reaches processes that start later.
    func announce(userId: String, revokedAtMs: Int64) async {
        await runtime.revocations.record(userId: userId, revokedAtMs: revokedAtMs)
        for attempt in 1...3 {
            do {
                try await runtime.publish(BusStream.control, ControlEvent.tokensRevoked(userId: userId, revokedAtMs: revokedAtMs))
                return
            } catch {
                logger.error("cannot publish the revocation of \(userId) (attempt \(attempt)): \(error)")
                try? await LoopSleep.for(.milliseconds(200 * attempt))
            }
        }
    }
}
