import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `audit_logs`: the rows `AuditLog` records and the retention sweep removes.
struct AuditStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    /// Inserts an entry once (a taken id changes nothing); a user that is gone by now is
    /// stored as a null user. `metadata` is JSON text, already capped by the caller.
    func insert(_ entry: AuditEntry, metadata: String?) async throws {
        let at = Date(timeIntervalSince1970: Double(entry.createdAtMs) / 1000)
        try await database.client.query("""
            INSERT INTO audit_logs (id, user_id, action, target_id, target_type, metadata, ip_address, created_at)
            VALUES (\(entry.id), (SELECT id FROM users WHERE id = \(entry.userId)), \(entry.action), \(entry.targetId),
                    \(entry.targetType), \(metadata)::jsonb, \(entry.ipAddress), \(at))
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
    }

    /// Deletes the rows at least `days` days old.
    func deleteOlderThan(days: Int) async throws {
        try await database.client.query("""
            DELETE FROM audit_logs WHERE created_at <= now() - make_interval(days => \(Int32(clamping: days)))
            """, logger: logger)
    }
}
