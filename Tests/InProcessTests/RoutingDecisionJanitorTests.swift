import AgentIMDatabase
import Foundation
import PostgresNIO
@testable import RouterService
import Testing

/// The janitor's statement, now `RoutingDecisionStore`'s, against a real PostgreSQL (its
/// timer is an hour long, so the statement runs directly): decisions older than a day go.
struct RoutingDecisionJanitorTests {
    @Test func deletesOnlyDecisionsOlderThanADay() async throws {
        let database = try Database(url: try await InProcessHub.freshDatabase(), poolSize: 1, logger: InProcessHub.logger)
        let logger = InProcessHub.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await Migrator(database: database).migrate()
            try await database.client.query("""
                INSERT INTO routing_decisions (message_id, room_id, decided_at) VALUES
                    ('old', 'r1', now() - interval '25 hours'), ('recent', 'r1', now() - interval '23 hours'), ('new', 'r1', now())
                """, logger: logger)
            try await RoutingDecisionStore(database: database).deleteDecidedBeforeYesterday()
            var left: [String] = []
            for try await id in try await database.client.query("SELECT message_id FROM routing_decisions ORDER BY message_id",
                                                                logger: logger).decode(String.self) { left.append(id) }
            #expect(left == ["new", "recent"])
        }
    }
}
