import AgentIMBus
import AgentIMCore
import AgentIMDatabase
import AgentIMRuntime
import AgentIMSecrets
@testable import AuthService
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// Auth's background work against a real PostgreSQL: the periodic clean-ups (their timers
/// are hours long, so the statements run directly) and the audit command consumer.
struct AuthDatabaseTests {
    static let logger = Logger(label: "test")

    /// Runs `body` with a freshly created and migrated database.
    static func withDatabase(_ body: @Sendable @escaping (Database) async throws -> Void) async throws {
        let server = try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_PG"], "AGENTIM_TEST_PG must point at a running PostgreSQL")
        let name = "unit_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try Database(url: server + "/postgres", poolSize: 1, logger: logger)
        let database = try Database(url: server + "/" + name, poolSize: 2, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.client.run() }
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await admin.client.query("CREATE DATABASE \(unescaped: name)", logger: logger)
            try await Migrator(database: database).migrate()
            try await database.client.query("""
                INSERT INTO users (id, username, display_name, created_at, updated_at) VALUES ('u1', 'amy', 'Amy', now(), now())
                """, logger: logger)
            try await body(database)
        }
    }

    static func ids(_ table: String, in database: Database) async throws -> [String] {
        var found: [String] = []
        for try await id in try await database.client.query("SELECT id FROM \(unescaped: table) ORDER BY id", logger: logger).decode(String.self) {
            found.append(id)
        }
        return found
    }

    @Test func sweepsDeleteOnlyWhatExpired() async throws {
        try await Self.withDatabase { database in
            let sql = database.client
            try await sql.query("""
                INSERT INTO refresh_tokens (id, user_id, token_hash, expires_at, created_at) VALUES
                    ('old', 'u1', 'h1', now() - interval '1 minute', now()), ('live', 'u1', 'h2', now() + interval '1 day', now())
                """, logger: Self.logger)
            try await sql.query("""
                INSERT INTO revoked_tokens (id, user_id, token_hash, expires_at) VALUES
                    ('r-old', 'u1', '1', now() - interval '1 minute'), ('r-live', 'u1', '2', now() + interval '1 minute')
                """, logger: Self.logger)
            try await sql.query("""
                INSERT INTO audit_logs (id, action, created_at) VALUES
                    ('a-old', 'login', now() - interval '91 days'), ('a-live', 'login', now() - interval '89 days')
                """, logger: Self.logger)

            let settings = RuntimeSettings(environment: Environment([:]), production: false, secrets: SecretBox(encryptionKey: nil),
                                           database: database, logger: Self.logger)
            let maintenance = AuthMaintenance(database: database, settings: settings, schemaReady: StartupGate(open: true), logger: Self.logger)
            try await maintenance.sweepTokens()
            try await maintenance.sweepAuditLog()

            #expect(try await Self.ids("refresh_tokens", in: database) == ["live"])
            #expect(try await Self.ids("revoked_tokens", in: database) == ["r-live"])
            #expect(try await Self.ids("audit_logs", in: database) == ["a-live"], "90 days kept by default")
        }
    }

    @Test func otherServicesAuditRowsAreStoredOnce() async throws {
        try await Self.withDatabase { database in
            let bus = InMemoryBus()
            var room = AuditEntry(userId: "u1", action: "room_create", targetId: "r1", targetType: "room",
                                  metadata: ["name": .string("Lobby")], ipAddress: "203.0.113.7")
            room.id = "e1"
            var gone = AuditEntry(userId: "deleted-meanwhile", action: "member_add", ipAddress: nil)
            gone.id = "e2"
            try await bus.publish(BusStream.auditCommands, room)
            try await bus.publish(BusStream.auditCommands, room)  // redelivered
            try await bus.publish(BusStream.auditCommands, gone)
            try await bus.append(BusStream.auditCommands, Data("not json".utf8))

            let worker = AuditLog(database: database).worker(bus: bus, consumer: "test")
            let running = Task { try await worker.run() }
            defer { running.cancel() }
            var stored: [String] = []
            for _ in 0..<50 where stored.count < 2 {
                try await Task.sleep(for: .milliseconds(50))
                stored = try await Self.ids("audit_logs", in: database)
            }
            #expect(stored == ["e1", "e2"])
            var rows: [String] = []
            let query = "SELECT coalesce(user_id, '-') || ' ' || action || ' ' || coalesce(metadata->>'name', '-') || ' ' || coalesce(ip_address, '-') FROM audit_logs ORDER BY id"
            for try await row in try await database.client.query(PostgresQuery(unsafeSQL: query), logger: Self.logger).decode(String.self) {
                rows.append(row)
            }
            #expect(rows == ["u1 room_create Lobby 203.0.113.7", "- member_add - -"])
        }
    }
}
