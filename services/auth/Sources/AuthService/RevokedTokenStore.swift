import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `revoked_tokens`: one row per revocation of a user's tokens (data-config-security §3.4);
/// every process loads them at start (`Runtime`), the maintenance sweep removes expired ones.
struct RevokedTokenStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    /// Writes the row inside `connection`'s transaction. `token_hash` holds the revocation
    /// time in milliseconds as a decimal string, as the original's table does.
    func insert(userId: String, revokedAtMs: Int64, expiresAt: Date, on connection: PostgresConnection) async throws {
        let revokedAt = Date(timeIntervalSince1970: Double(revokedAtMs) / 1000)
        try await connection.query("""
            INSERT INTO revoked_tokens (id, user_id, token_hash, revoked_at, expires_at)
            VALUES (\(Nanoid.make()), \(userId), \(String(revokedAtMs)), \(revokedAt), \(expiresAt))
            """, logger: logger)
    }

    func deleteExpired() async throws {
        try await database.client.query("DELETE FROM revoked_tokens WHERE expires_at < now()", logger: logger)
    }
}
