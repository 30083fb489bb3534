import Logging
import PostgresNIO

/// One schema change. `owner` names the service that alone writes the tables it creates.
public struct Migration: Sendable {
    public let version: Int
    public let owner: String
    public let name: String
    public let statements: [String]

    public init(version: Int, owner: String, name: String, statements: [String]) {
        self.version = version
        self.owner = owner
        self.name = name
        self.statements = statements
    }
}

/// Applies pending migrations in version order. Every process may call it at start:
/// a session advisory lock makes concurrent starts wait for each other, and each
/// migration commits together with its ledger row, so a crash never half-applies one.
public struct Migrator: Sendable {
    /// Arbitrary constant shared by every AgentIM process: the migration lock's key.
    static let lockKey: Int64 = 0x4147_4E54_494D

    let database: Database

    public init(database: Database) { self.database = database }

    @discardableResult
    public func migrate(_ migrations: [Migration] = Schema.all) async throws -> [Int] {
        let logger = database.logger
        return try await database.client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS agentim_migrations (
                        version integer PRIMARY KEY,
                        owner text NOT NULL,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """, logger: logger)
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM agentim_migrations", logger: logger).decode(Int.self) {
                    applied.insert(version)
                }
                var ran: [Int] = []
                for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                    try await connection.withTransaction(logger: logger) { tx in
                        for statement in migration.statements {
                            try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await tx.query("INSERT INTO agentim_migrations (version, owner, name) VALUES (\(migration.version), \(migration.owner), \(migration.name))", logger: logger)
                    }
                    logger.info("applied migration \(migration.version) \(migration.owner)/\(migration.name)")
                    ran.append(migration.version)
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return ran
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }
}
