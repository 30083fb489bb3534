import AgentIMCore
import AgentIMDatabase
import AgentIMRuntime
import AgentIMSecrets
@testable import AuthService
import Foundation
import Logging
import Testing

/// The periodic clean-ups' statements against a real PostgreSQL: what expired goes, the
/// rest stays (their timers are hours long, so the statements are exercised directly).
struct AuthMaintenanceTests {
    @Test func sweepsDeleteOnlyWhatExpired() async throws {
        let server = try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_PG"], "AGENTIM_TEST_PG must point at a running PostgreSQL")
        let name = "unit_\(UUID().uuidString.prefix(8).lowercased())"
        let logger = Logger(label: "test")
        let admin = try Database(url: server + "/postgres", poolSize: 1, logger: logger)
        let database = try Database(url: server + "/" + name, poolSize: 2, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.client.run() }
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await admin.client.query("CREATE DATABASE \(unescaped: name)", logger: logger)
            try await Migrator(database: database).migrate()

            let sql = database.client
            try await sql.query("""
                INSERT INTO users (id, username, display_name, created_at, updated_at) VALUES ('u1', 'amy', 'Amy', now(), now())
                """, logger: logger)
            try await sql.query("""
                INSERT INTO refresh_tokens (id, user_id, token_hash, expires_at, created_at) VALUES
                    ('old', 'u1', 'h1', now() - interval '1 minute', now()), ('live', 'u1', 'h2', now() + interval '1 day', now())
                """, logger: logger)
            try await sql.query("""
                INSERT INTO revoked_tokens (id, user_id, token_hash, expires_at) VALUES
                    ('r-old', 'u1', '1', now() - interval '1 minute'), ('r-live', 'u1', '2', now() + interval '1 minute')
                """, logger: logger)
            try await sql.query("""
                INSERT INTO audit_logs (id, action, created_at) VALUES
                    ('a-old', 'login', now() - interval '91 days'), ('a-live', 'login', now() - interval '89 days')
                """, logger: logger)

            let settings = RuntimeSettings(environment: Environment([:]), production: false, secrets: SecretBox(encryptionKey: nil),
                                           database: database, logger: logger)
            let maintenance = AuthMaintenance(database: database, settings: settings, logger: logger)
            try await maintenance.sweepTokens()
            try await maintenance.sweepAuditLog()

            func ids(_ table: String) async throws -> [String] {
                var found: [String] = []
                for try await id in try await sql.query("SELECT id FROM \(unescaped: table) ORDER BY id", logger: logger).decode(String.self) {
                    found.append(id)
                }
                return found
            }
            #expect(try await ids("refresh_tokens") == ["live"])
            #expect(try await ids("revoked_tokens") == ["r-live"])
            #expect(try await ids("audit_logs") == ["a-live"], "90 days kept by default")
        }
    }
}
