import AgentIMDatabase
import Logging
import PostgresNIO

/// Deleting an account (data-config-security §1.4), in one transaction with the
/// revocation row: rooms the user created go (their members and messages by cascade),
/// their tasks and task assignments, memberships, unattached uploads and service agents
/// go, and the user row last (refresh tokens, gateways, routers, reactions, bookmarks,
/// OAuth links and push subscriptions follow by their cascading foreign keys; audit rows
/// and settings keep a null user).
///
/// Tables of other services appear as their issues land, so each step runs only when its
/// table exists. Service agents are deleted explicitly: the original's database carries a
/// leftover NO ACTION foreign key on them that made this request fail with a 500.
///
/// Files on disk are not deleted here: attachments and avatars belong to the uploads
/// service, whose orphan sweep removes files without a row.
struct UserDeletion: Sendable {
    let database: Database
    let revoker: TokenRevoker
    var logger: Logger { database.logger }

    /// Statements per table, in order; `$1` is the user id.
    static let steps: [(table: String, statements: [String])] = [
        ("rooms", ["DELETE FROM rooms WHERE created_by_id = $1"]),
        ("tasks", ["DELETE FROM tasks WHERE created_by_id = $1",
                   "UPDATE tasks SET assignee_id = NULL, assignee_type = NULL WHERE assignee_id = $1"]),
        ("room_members", ["DELETE FROM room_members WHERE member_id = $1 AND member_type = 'user'"]),
        ("message_attachments", ["DELETE FROM message_attachments WHERE uploaded_by = $1 AND message_id IS NULL",
                                 "UPDATE message_attachments SET uploaded_by = NULL WHERE uploaded_by = $1"]),
        ("service_agents", ["DELETE FROM service_agents WHERE created_by_id = $1"]),
    ]

    /// Returns the revocation time to announce once the transaction has committed.
    func delete(userId: String) async throws -> Int64 {
        try await database.client.withTransaction(logger: logger) { tx in
            let revokedAt = try await revoker.persist(userId: userId, on: tx)
            let present = try await existingTables(Self.steps.map(\.table), on: tx)
            for step in Self.steps where present.contains(step.table) {
                for statement in step.statements {
                    var bindings = PostgresBindings()
                    bindings.append(userId)
                    try await tx.query(PostgresQuery(unsafeSQL: statement, binds: bindings), logger: logger)
                }
            }
            try await tx.query("DELETE FROM users WHERE id = \(userId)", logger: logger)
            return revokedAt
        }
    }

    private func existingTables(_ names: [String], on tx: PostgresConnection) async throws -> Set<String> {
        var found = Set<String>()
        let rows = try await tx.query("""
            SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY(\(names))
            """, logger: logger)
        for try await name in rows.decode(String.self) { found.insert(name) }
        return found
    }
}
