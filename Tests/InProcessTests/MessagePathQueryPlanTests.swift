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
    @Test func theGroupCommitsLookupsUseIndexesOnLargeTables() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let rooms = try RoomsService(runtime: runtime)
        try await InProcessHub.test(rooms) { _ in
            guard let database = runtime.database else { throw InProcessSetupError("the runtime has no database") }
            let logger = InProcessHub.logger
            // The plans PostgreSQL may use: one made for the values, or the generic one made
            // once per connection (always, on the group commit's connections), perhaps while the
            // tables were still empty.
            func plans(_ statement: String, _ types: String, _ sql: String, _ arguments: String) async throws -> [String] {
                try await database.client.withConnection { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: "PREPARE \(statement)(\(types)) AS " + sql), logger: logger)
                    var plans: [String] = []
                    for mode in ["force_custom_plan", "force_generic_plan"] {
                        try await connection.query(PostgresQuery(unsafeSQL: "SET plan_cache_mode = \(mode)"), logger: logger)
                        var lines: [String] = []
                        let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN EXECUTE \(statement)(\(arguments))"), logger: logger)
                        for try await line in rows.decode(String.self) { lines.append(line) }
                        plans.append(lines.joined(separator: "\n"))
                    }
                    try await connection.query(PostgresQuery(unsafeSQL: "DEALLOCATE \(statement)"), logger: logger)
                    try await connection.query("RESET plan_cache_mode", logger: logger)
                    return plans
                }
            }
            func allPlans() async throws -> (existing: [String], access: [String], insert: [String], ifClear: [String]) {
                (try await plans("existing", "text[], text[], text[]", MessageStore.ExistingMessagesStatement.sql,
                                 "ARRAY['m5', 'nope'], ARRAY['u-amy', 'u-amy'], ARRAY['c7', 'c9']"),
                 try await plans("access", "text[], text[]", MessageStore.SenderAccessStatement.sql,
                                 "ARRAY['r-plan', 'r-7'], ARRAY['u-amy', 'u-12']"),
                 try await plans("insert", Array(repeating: "text[]", count: 10).joined(separator: ", "), MessageStore.InsertMessagesStatement.sql,
                                 "ARRAY['r-7'], ARRAY['x'], ARRAY['u-amy'], ARRAY['amy'], ARRAY['hi'], ARRAY[''], ARRAY['[]'], " +
                                 "ARRAY['2026-01-01T00:00:00.000Z'], ARRAY[''], ARRAY['r-7']"),
                 try await plans("ifclear", Array(repeating: "text[]", count: 10).joined(separator: ", "), MessageStore.InsertIfClearStatement.sql,
                                 "ARRAY['r-7'], ARRAY['x'], ARRAY['u-amy'], ARRAY['amy'], ARRAY['hi'], ARRAY[''], ARRAY['[]'], " +
                                 "ARRAY['2026-01-01T00:00:00.000Z'], ARRAY['c7'], ARRAY['r-7']"))
            }
            let empty = try await allPlans()
            try await InProcessHub.insertUser(runtime, id: "u-amy", username: "amy")
            try await database.client.query("""
                INSERT INTO rooms (id, name, created_by_id, created_at, updated_at) VALUES ('r-plan', 'plan', 'u-amy', now(), now())
                """, logger: logger)
            // Not analyzed afterwards: on a fresh hub under load autovacuum has not looked yet.
            try await database.client.query("""
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, content, created_at, seq, client_message_id)
                SELECT 'm' || g, 'r-plan', 'u-amy', 'user', 'amy', 'hello ' || g, now(), g, 'c' || g FROM generate_series(1, 30000) g
                """, logger: logger)
            try await database.client.query("""
                INSERT INTO rooms (id, name, created_by_id, created_at, updated_at)
                SELECT 'r-' || g, 'room ' || g, 'u-amy', now(), now() FROM generate_series(1, 3000) g
                """, logger: logger)
            try await database.client.query("""
                INSERT INTO room_members (room_id, member_id, member_type, role, joined_at)
                SELECT 'r-' || (g % 3000 + 1), 'u-' || g, CASE WHEN g % 9 = 0 THEN 'agent' ELSE 'user' END, 'member', now()
                FROM generate_series(1, 30000) g
                """, logger: logger)
            let full = try await allPlans()
            for plan in full.existing + empty.existing {
                #expect(!plan.contains("Seq Scan"), "\(plan)")
                #expect(plan.contains("messages_pkey"), "\(plan)")
                #expect(plan.contains("messages_client_id_idx"), "\(plan)")
            }
            // The group commit's access check: index probes, no hashed subplan over every member.
            for plan in full.access + empty.access {
                #expect(!plan.contains("Seq Scan"), "\(plan)")
                #expect(!plan.contains("hashed SubPlan"), "\(plan)")
                #expect(plan.contains("rooms_pkey"), "\(plan)")
            }
            // Its write takes the rooms' rows (one index probe each, in the order given) before
            // the UPDATE reads any: the gate is a one-time filter over an InitPlan.
            for plan in full.insert + empty.insert {
                #expect(plan.contains("LockRows"), "\(plan)")
                #expect(plan.contains("One-Time Filter"), "\(plan)")
                #expect(plan.contains("Index Scan using rooms_pkey on rooms"), "\(plan)")
            }

            // The one-statement commit: the same probes (no scan of messages or members), its
            // checks after the rooms' rows are taken.
            for plan in full.ifClear + empty.ifClear {
                #expect(!plan.contains("Seq Scan on messages") && !plan.contains("Seq Scan on room_members"), "\(plan)")
                #expect(!plan.contains("hashed SubPlan"), "\(plan)")
                #expect(plan.contains("messages_pkey"), "\(plan)")
                #expect(plan.contains("messages_client_id_idx"), "\(plan)")
                #expect(plan.contains("LockRows"), "\(plan)")
                #expect(plan.contains("Index Scan using rooms_pkey on rooms"), "\(plan)")
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
