import AgentIMCore
import AgentIMDatabase
import AgentIMSecrets
import Logging
import PostgresNIO

/// Re-encrypts every stored secret from an old `ENCRYPTION_KEY` to a new one, in one
/// transaction: either every value moves to the new key or nothing changes. The original
/// hub has no such step, so rotating its key means re-entering every secret by hand.
public struct SecretRotation: Sendable {
    /// Every column that holds secret envelopes (`enc:…`), with its table's key column.
    public static let columns: [(table: String, key: String, column: String)] = [
        ("settings", "key", "value"),
        ("routers", "id", "llm_api_key"),
        ("service_agents", "id", "config_encrypted"),
        ("oauth_accounts", "id", "access_token"),
        ("oauth_accounts", "id", "refresh_token"),
        ("users", "id", "totp_secret"),
    ]

    public struct Report: Sendable, Equatable {
        public var rotated = 0
        public var alreadyCurrent = 0
    }

    let database: Database

    public init(database: Database) { self.database = database }

    public func run(from old: SecretBox, to new: SecretBox) async throws -> Report {
        let logger = database.logger
        return try await database.client.withTransaction(logger: logger) { tx in
            var report = Report()
            for (table, key, column) in Self.columns {
                var exists = false
                for try await value in try await tx.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: logger).decode(Bool.self) {
                    exists = value
                }
                guard exists else { continue }
                let rows = try await tx.query("""
                    SELECT \(unescaped: key), \(unescaped: column) FROM \(unescaped: table)
                    WHERE \(unescaped: column) LIKE 'enc:%' FOR UPDATE
                    """, logger: logger)
                var pending: [(String, String)] = []
                for try await (id, stored) in rows.decode((String, String).self) { pending.append((id, stored)) }
                for (id, stored) in pending {
                    if new.open(stored) != nil {
                        report.alreadyCurrent += 1
                        continue
                    }
                    guard let plaintext = old.open(stored) else {
                        throw ConfigError("\(table).\(column) of \(id) opens with neither key: nothing was changed")
                    }
                    try await tx.query("""
                        UPDATE \(unescaped: table) SET \(unescaped: column) = \(try new.seal(plaintext)) WHERE \(unescaped: key) = \(id)
                        """, logger: logger)
                    report.rotated += 1
                }
            }
            return report
        }
    }
}
