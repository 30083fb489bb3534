import AgentIMRuntime
import Foundation
import Logging
import PostgresNIO
@testable import RoomsService
import Testing

/// The batched send's statements must stay index lookups as the messages table grows: one
/// that scans the table costs every send time in proportion to every message ever stored
/// (issue 20: the idempotency lookup, written with OR and an IN-subquery, was a sequential
/// scan taking 37 ms per batch at 100,000 messages, and PostgreSQL's CPU became the limit),
/// whatever plan PostgreSQL picks, including a generic one made while the table was empty.
@Suite struct MessagePathQueryPlanTests {
    @Test func theIdempotencyLookupUsesIndexesOnALargeTable() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let rooms = try RoomsService(runtime: runtime)
        try await InProcessHub.test(rooms) { _ in
            guard let database = runtime.database else { throw InProcessSetupError("the runtime has no database") }
            let logger = InProcessHub.logger
            // The plans PostgreSQL may use: one made for the values, or the generic one made
            // once per connection, perhaps while the table was still empty.
            func plans() async throws -> [String] {
                try await database.client.withConnection { connection in
                    try await connection.query(PostgresQuery(unsafeSQL:
                        "PREPARE existing(text[], text[], text[]) AS " + MessageStore.ExistingMessagesStatement.sql), logger: logger)
                    var plans: [String] = []
                    for mode in ["force_custom_plan", "force_generic_plan"] {
                        try await connection.query(PostgresQuery(unsafeSQL: "SET plan_cache_mode = \(mode)"), logger: logger)
                        var lines: [String] = []
                        let rows = try await connection.query(PostgresQuery(unsafeSQL:
                            "EXPLAIN EXECUTE existing(ARRAY['m5', 'nope'], ARRAY['u-amy', 'u-amy'], ARRAY['c7', 'c9'])"), logger: logger)
                        for try await line in rows.decode(String.self) { lines.append(line) }
                        plans.append(lines.joined(separator: "\n"))
                    }
                    try await connection.query("DEALLOCATE existing", logger: logger)
                    try await connection.query("RESET plan_cache_mode", logger: logger)
                    return plans
                }
            }
            let empty = try await plans()
            try await InProcessHub.insertUser(runtime, id: "u-amy", username: "amy")
            try await database.client.query("""
                INSERT INTO rooms (id, name, created_by_id, created_at, updated_at) VALUES ('r-plan', 'plan', 'u-amy', now(), now())
                """, logger: logger)
            // Not analyzed afterwards: on a fresh hub under load autovacuum has not looked yet.
            try await database.client.query("""
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, content, created_at, seq, client_message_id)
                SELECT 'm' || g, 'r-plan', 'u-amy', 'user', 'amy', 'hello ' || g, now(), g, 'c' || g FROM generate_series(1, 30000) g
                """, logger: logger)
            for plan in try await plans() + empty {
                #expect(!plan.contains("Seq Scan"), "\(plan)")
                #expect(plan.contains("messages_pkey"), "\(plan)")
                #expect(plan.contains("messages_client_id_idx"), "\(plan)")
            }

            // And it still finds both kinds of earlier message.
            let found = try await database.client.execute(MessageStore.ExistingMessagesStatement(
                ids: ["m5", "nope"], senders: ["u-amy", "u-amy", "u-bob"], clientIds: ["c7", "none", "c9"]), logger: logger)
            var ids: [String] = []
            for try await row in found { ids.append(row.message.id) }
            #expect(ids.sorted() == ["m5", "m7"])
        }
    }
}
