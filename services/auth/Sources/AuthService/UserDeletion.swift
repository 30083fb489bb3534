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

    /// Returns the revocation time to announce once the transaction has committed.
    func delete(userId: String) async throws -> Int64 {
        try await database.client.withTransaction(logger: logger) { tx in
            let revokedAt = try await revoker.persist(userId: userId, on: tx)
            try await UserStore(database: database).deleteAccount(id: userId, on: tx)
            return revokedAt
        }
    }
}
