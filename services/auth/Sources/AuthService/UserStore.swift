import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import Foundation
import Logging
import PostgresNIO

/// A row of `users`.
struct UserRecord: Sendable {
    var id: String
    var username: String
    var passwordHash: String?
    var displayName: String
    var avatarUrl: String?
    var role: String
    var failedLoginAttempts: Int
    var lockedUntil: Date?
    /// Stored through the secret envelope; pending while `totpEnabled` is false.
    var totpSecret: String?
    var totpEnabled: Bool
    /// JSON array (as text) of argon2id hashes of the unused backup codes.
    var totpBackupCodes: String?
    var maxWsConnections: Int?
    var maxGateways: Int?
    var createdAt: Date
    var updatedAt: Date

    /// A new account with nothing but its credentials.
    static func new(username: String, passwordHash: String, displayName: String, role: String, at now: Date = Date()) -> UserRecord {
        UserRecord(id: Nanoid.make(), username: username, passwordHash: passwordHash, displayName: displayName, avatarUrl: nil,
                   role: role, failedLoginAttempts: 0, lockedUntil: nil, totpSecret: nil, totpEnabled: false,
                   totpBackupCodes: nil, maxWsConnections: nil, maxGateways: nil, createdAt: now, updatedAt: now)
    }
}

/// `users` in PostgreSQL; auth alone writes it.
struct UserStore: Sendable {
    static let lockThreshold = 5
    static let lockMinutes = 15

    let database: Database
    var logger: Logger { database.logger }

    static let columns = """
        id, username, password_hash, display_name, avatar_url, role, failed_login_attempts, locked_until, totp_secret, \
        totp_enabled, totp_backup_codes, max_ws_connections, max_gateways, created_at, updated_at
        """

    func find(username: String) async throws -> UserRecord? {
        try await records(database.client.query("SELECT \(unescaped: Self.columns) FROM users WHERE username = \(username)", logger: logger)).first
    }

    func find(id: String) async throws -> UserRecord? {
        try await records(database.client.query("SELECT \(unescaped: Self.columns) FROM users WHERE id = \(id)", logger: logger)).first
    }

    private func records(_ rows: PostgresRowSequence) async throws -> [UserRecord] {
        var result: [UserRecord] = []
        for try await row in rows.decode((String, String, String?, String, String?, String, Int, Date?, String?, Bool, String?, Int?, Int?, Date, Date).self) {
            result.append(UserRecord(id: row.0, username: row.1, passwordHash: row.2, displayName: row.3, avatarUrl: row.4,
                                     role: row.5, failedLoginAttempts: row.6, lockedUntil: row.7, totpSecret: row.8,
                                     totpEnabled: row.9, totpBackupCodes: row.10, maxWsConnections: row.11, maxGateways: row.12,
                                     createdAt: row.13, updatedAt: row.14))
        }
        return result
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

    /// Counts a wrong password in one statement, so concurrent attempts all count: the fifth
    /// consecutive one locks the account for 15 minutes. A lock that has run out starts the
    /// count afresh — the original kept the count, so every later slip re-locked at once.
    /// Returns the new count.
    @discardableResult
    func recordFailedLogin(id: String) async throws -> Int {
        let rows = try await database.client.query("""
            UPDATE users SET
                failed_login_attempts = CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 1 ELSE failed_login_attempts + 1 END,
                locked_until = CASE
                    WHEN locked_until IS NOT NULL AND locked_until <= now() THEN NULL
                    WHEN failed_login_attempts + 1 >= \(Self.lockThreshold) THEN now() + interval '\(unescaped: String(Self.lockMinutes)) minutes'
                    ELSE locked_until END
            WHERE id = \(id)
            RETURNING failed_login_attempts
            """, logger: logger)
        for try await attempts in rows.decode(Int.self) { return attempts }
        return 0
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

    /// `PUT /api/users/me`: absent fields stay; `updated_at` is bumped even when nothing else changes.
    func updateProfile(id: String, displayName: String?, avatarUrl: String?) async throws {
        try await database.client.query("""
            UPDATE users SET display_name = COALESCE(\(displayName), display_name), avatar_url = COALESCE(\(avatarUrl), avatar_url),
                updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    /// A page of users in creation order, and how many there are in all.
    func list(limit: Int, offset: Int) async throws -> (users: [UserRecord], total: Int) {
        let page = try await records(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM users ORDER BY created_at, id LIMIT \(limit) OFFSET \(offset)
            """, logger: logger))
        var total = 0
        for try await count in try await database.client.query("SELECT count(*)::int FROM users", logger: logger).decode(Int.self) {
            total = count
        }
        return (page, total)
    }

    /// Case-insensitive substring match on username or display name, caller excluded, at
    /// most 10. `%` and `_` in `query` stay wildcards as in the original; a backslash is
    /// escaped so that a trailing one cannot make the pattern invalid.
    func search(_ query: String, excluding callerId: String) async throws -> [UserRecord] {
        let pattern = "%" + query.replacingOccurrences(of: "\\", with: "\\\\") + "%"
        return try await records(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM users
            WHERE id <> \(callerId) AND (username ILIKE \(pattern) OR display_name ILIKE \(pattern))
            ORDER BY username LIMIT 10
            """, logger: logger))
    }

    /// The fields an admin may change (`PUT /api/users/:id`); nil leaves a field alone.
    struct AdminChanges: Sendable {
        var displayName: String?
        var role: String?
        var passwordHash: String?
        /// `.some(nil)` clears the override.
        var maxWsConnections: Int??
        var maxGateways: Int??
    }

    /// Applies `changes`; a new password also deletes the user's refresh tokens and writes
    /// the revocation row in the same transaction. Returns the revocation time, if any.
    func apply(_ changes: AdminChanges, to id: String, revoker: TokenRevoker) async throws -> Int64? {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("""
                UPDATE users SET
                    display_name = COALESCE(\(changes.displayName), display_name),
                    role = COALESCE(\(changes.role), role),
                    password_hash = COALESCE(\(changes.passwordHash), password_hash),
                    max_ws_connections = CASE WHEN \(changes.maxWsConnections != nil) THEN \(changes.maxWsConnections ?? nil) ELSE max_ws_connections END,
                    max_gateways = CASE WHEN \(changes.maxGateways != nil) THEN \(changes.maxGateways ?? nil) ELSE max_gateways END,
                    updated_at = now()
                WHERE id = \(id)
                """, logger: logger)
            guard changes.passwordHash != nil else { return nil }
            return try await endSessions(of: id, on: tx, revoker: revoker)
        }
    }

    /// A user's own password change: the new hash, no refresh tokens left, a revocation row.
    func changePassword(id: String, to passwordHash: String, revoker: TokenRevoker) async throws -> Int64 {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("UPDATE users SET password_hash = \(passwordHash), updated_at = now() WHERE id = \(id)", logger: logger)
            return try await endSessions(of: id, on: tx, revoker: revoker)
        }
    }

    private func endSessions(of id: String, on tx: PostgresConnection, revoker: TokenRevoker) async throws -> Int64 {
        try await tx.query("DELETE FROM refresh_tokens WHERE user_id = \(id)", logger: logger)
        return try await revoker.persist(userId: id, on: tx)
    }

    // MARK: Account deletion

    /// The steps of deleting an account other than the user row, per table and in order
    /// (`UserDeletion` says why each is there); `$1` is the user id.
    static let deletionSteps: [(table: String, statements: [String])] = [
        ("rooms", ["DELETE FROM rooms WHERE created_by_id = $1"]),
        ("tasks", ["DELETE FROM tasks WHERE created_by_id = $1",
                   "UPDATE tasks SET assignee_id = NULL, assignee_type = NULL WHERE assignee_id = $1"]),
        ("room_members", ["DELETE FROM room_members WHERE member_id = $1 AND member_type = 'user'"]),
        ("message_attachments", ["DELETE FROM message_attachments WHERE uploaded_by = $1 AND message_id IS NULL",
                                 "UPDATE message_attachments SET uploaded_by = NULL WHERE uploaded_by = $1"]),
        ("service_agents", ["DELETE FROM service_agents WHERE created_by_id = $1"]),
    ]

    /// Deletes the account's rows inside the caller's transaction `tx`: each step whose
    /// table exists, then the user row (the cascading foreign keys take the rest).
    func deleteAccount(id: String, on tx: PostgresConnection) async throws {
        let present = try await existingTables(Self.deletionSteps.map(\.table), on: tx)
        for step in Self.deletionSteps where present.contains(step.table) {
            for statement in step.statements {
                var bindings = PostgresBindings()
                bindings.append(id)
                try await tx.query(PostgresQuery(unsafeSQL: statement, binds: bindings), logger: logger)
            }
        }
        try await tx.query("DELETE FROM users WHERE id = \(id)", logger: logger)
    }

    private func existingTables(_ names: [String], on tx: PostgresConnection) async throws -> Set<String> {
        var found = Set<String>()
        let rows = try await tx.query("""
            SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY(\(names))
            """, logger: logger)
        for try await name in rows.decode(String.self) { found.insert(name) }
        return found
    }

    // MARK: TOTP

    /// Stores a new pending secret (setup start), replacing any earlier pending one.
    func setPendingTOTPSecret(id: String, sealedSecret: String) async throws {
        try await database.client.query("""
            UPDATE users SET totp_secret = \(sealedSecret), totp_enabled = false, totp_backup_codes = NULL, updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    func enableTOTP(id: String, backupCodeHashes: [String]) async throws {
        let codes = try JSONCoding.encodeString(backupCodeHashes)
        try await database.client.query("""
            UPDATE users SET totp_enabled = true, totp_backup_codes = \(codes), updated_at = now() WHERE id = \(id)
            """, logger: logger)
    }

    /// Replaces the backup codes only if they are still `old`: of two logins racing with the
    /// same backup code, one wins.
    func replaceBackupCodes(id: String, old: String, new: [String]) async throws -> Bool {
        let codes = try JSONCoding.encodeString(new)
        let rows = try await database.client.query("""
            UPDATE users SET totp_backup_codes = \(codes) WHERE id = \(id) AND totp_backup_codes = \(old) RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func disableTOTP(id: String) async throws {
        try await database.client.query("""
            UPDATE users SET totp_enabled = false, totp_secret = NULL, totp_backup_codes = NULL, updated_at = now() WHERE id = \(id)
            """, logger: logger)
    }

    // MARK: Linked accounts

    /// The user's OAuth links, oldest first; provider tokens are never read.
    func oauthAccounts(of userId: String) async throws -> [OAuthAccount] {
        let rows = try await database.client.query("""
            SELECT id, provider, provider_account_id, email, display_name, avatar_url, created_at, updated_at
            FROM oauth_accounts WHERE user_id = \(userId) ORDER BY created_at
            """, logger: logger)
        var accounts: [OAuthAccount] = []
        for try await row in rows.decode((String, String, String, String?, String?, String?, Date, Date).self) {
            accounts.append(OAuthAccount(id: row.0, provider: row.1, providerAccountId: row.2, email: Nullable(row.3),
                                         displayName: Nullable(row.4), avatarUrl: Nullable(row.5),
                                         createdAt: Timestamp.format(row.6), updatedAt: Timestamp.format(row.7)))
        }
        return accounts
    }
}

/// A row of `oauth_accounts` as `GET /api/users/me/oauth-accounts` shows it (http-api §5.3):
/// unset columns as null.
struct OAuthAccount: Encodable, Sendable {
    var id: String
    var provider: String
    var providerAccountId: String
    var email: Nullable<String>
    var displayName: Nullable<String>
    var avatarUrl: Nullable<String>
    var createdAt: String
    var updatedAt: String
}
