import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// A row of `users`, as auth needs it.
struct UserRecord: Sendable {
    var id: String
    var username: String
    var passwordHash: String?
    var displayName: String
    var avatarUrl: String?
    var role: String
    var failedLoginAttempts: Int
    var lockedUntil: Date?
    var totpEnabled: Bool
    var createdAt: Date
    var updatedAt: Date
}

/// `users` in PostgreSQL; auth alone writes it.
struct UserStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    static let columns = "id, username, password_hash, display_name, avatar_url, role, failed_login_attempts, locked_until, totp_enabled, created_at, updated_at"

    func find(username: String) async throws -> UserRecord? {
        try await first(database.client.query("SELECT \(unescaped: Self.columns) FROM users WHERE username = \(username)", logger: logger))
    }

    func find(id: String) async throws -> UserRecord? {
        try await first(database.client.query("SELECT \(unescaped: Self.columns) FROM users WHERE id = \(id)", logger: logger))
    }

    private func first(_ rows: PostgresRowSequence) async throws -> UserRecord? {
        for try await row in rows.decode((String, String, String?, String, String?, String, Int, Date?, Bool, Date, Date).self) {
            return UserRecord(id: row.0, username: row.1, passwordHash: row.2, displayName: row.3, avatarUrl: row.4,
                              role: row.5, failedLoginAttempts: row.6, lockedUntil: row.7, totpEnabled: row.8,
                              createdAt: row.9, updatedAt: row.10)
        }
        return nil
    }

    /// Inserts a user; returns false when the username is taken.
    func insert(_ user: UserRecord) async throws -> Bool {
        do {
            try await database.client.query("""
                INSERT INTO users (id, username, password_hash, display_name, role, created_at, updated_at)
                VALUES (\(user.id), \(user.username), \(user.passwordHash), \(user.displayName), \(user.role), \(user.createdAt), \(user.updatedAt))
                """, logger: logger)
            return true
        } catch where sqlState(of: error) == "23505" {
            return false
        }
    }

    /// Counts a wrong password: the fifth consecutive one locks the account for 15 minutes.
    /// A lock that has run out starts the count afresh, so it does not re-lock on the next slip.
    func recordFailedLogin(id: String) async throws {
        try await database.client.query("""
            UPDATE users SET
                failed_login_attempts = CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 1 ELSE failed_login_attempts + 1 END,
                locked_until = CASE
                    WHEN locked_until IS NOT NULL AND locked_until <= now() THEN NULL
                    WHEN failed_login_attempts + 1 >= 5 THEN now() + interval '15 minutes'
                    ELSE locked_until END
            WHERE id = \(id)
            """, logger: logger)
    }

    func resetFailedLogins(id: String) async throws {
        try await database.client.query("UPDATE users SET failed_login_attempts = 0, locked_until = NULL WHERE id = \(id)", logger: logger)
    }

    func role(of id: String) async throws -> String? {
        for try await role in try await database.client.query("SELECT role FROM users WHERE id = \(id)", logger: logger).decode(String.self) {
            return role
        }
        return nil
    }

    func updatePasswordHashAndRole(id: String, passwordHash: String?, role: String?) async throws {
        try await database.client.query("""
            UPDATE users SET password_hash = COALESCE(\(passwordHash), password_hash), role = COALESCE(\(role), role), updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }
}
