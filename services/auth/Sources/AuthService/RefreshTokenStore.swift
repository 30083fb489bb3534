import AgentIMCore
import AgentIMDatabase
import Crypto
import Foundation
import Logging
import PostgresNIO

/// `refresh_tokens`: one row per live refresh token. Tokens are high-entropy signed JWTs,
/// so a SHA-256 digest identifies them safely and lets a lookup use the index, where the
/// original argon2-hashes them and verifies every row of the user one by one.
struct RefreshTokenStore: Sendable {
    static let maxPerUser = 10
    let database: Database
    var logger: Logger { database.logger }

    static func digest(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    /// Stores a token for a new session, evicting the oldest sessions beyond the cap.
    func insertForLogin(userId: String, token: String, expiresAt: Date) async throws {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\(userId)))", logger: logger)
            try await tx.query("""
                DELETE FROM refresh_tokens WHERE id IN (
                    SELECT id FROM refresh_tokens WHERE user_id = \(userId)
                    ORDER BY created_at DESC OFFSET \(Self.maxPerUser - 1))
                """, logger: logger)
            try await insert(tx, userId: userId, token: token, expiresAt: expiresAt)
        }
    }

    /// Rotation: consumes `old` and stores `new` under the user's lock, so of two concurrent
    /// refreshes with the same token exactly one wins. Returns false when `old` is not live.
    func rotate(userId: String, old: String, new: @Sendable () async throws -> (token: String, expiresAt: Date)) async throws -> Bool {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\(userId)))", logger: logger)
            let deleted = try await tx.query("""
                DELETE FROM refresh_tokens WHERE user_id = \(userId) AND token_hash = \(Self.digest(old)) AND expires_at > now()
                RETURNING id
                """, logger: logger)
            var found = false
            for try await _ in deleted { found = true }
            guard found else { return false }
            let next = try await new()
            try await insert(tx, userId: userId, token: next.token, expiresAt: next.expiresAt)
            return true
        }
    }

    func delete(userId: String, token: String) async throws {
        try await database.client.query("DELETE FROM refresh_tokens WHERE user_id = \(userId) AND token_hash = \(Self.digest(token))", logger: logger)
    }

    func deleteExpired() async throws {
        try await database.client.query("DELETE FROM refresh_tokens WHERE expires_at < now()", logger: logger)
    }

    private func insert(_ connection: PostgresConnection, userId: String, token: String, expiresAt: Date) async throws {
        try await connection.query("""
            INSERT INTO refresh_tokens (id, user_id, token_hash, expires_at, created_at)
            VALUES (\(Nanoid.make()), \(userId), \(Self.digest(token)), \(expiresAt), now())
            """, logger: logger)
    }
}
