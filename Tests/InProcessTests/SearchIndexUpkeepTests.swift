import AgentIMDatabase
import PostgresNIO
@testable import RoomsService
import Testing

/// The rooms process merges the search index's pending list itself, soon after messages are
/// stored, so that no send waits while an insert merges a full list (`SearchIndexUpkeep`).
@Suite struct SearchIndexUpkeepTests {
    @Test func storedMessagesLeaveNoPendingListBehind() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let database = try await SendGroupCommitTests.setUp(runtime, rooms: ["r-a"])
            try await database.client.query("CREATE EXTENSION IF NOT EXISTS pgstattuple", logger: InProcessHub.logger)
            for batch in 0..<20 {
                let messages = (0..<20).map { n in
                    SendGroupCommitTests.human("m\(batch)-\(n)", room: "r-a", from: "amy")
                }
                _ = try await service.messages.storeTogether([.init(roomId: "r-a", messages: messages)])
            }
            // 400 messages' trigrams fill several pending pages; the loop merges them within a
            // few of its ticks. (Autovacuum, the other thing that merges, waits a minute first.)
            var pending = -1
            for _ in 0..<40 {
                let rows = try await database.client.query(
                    "SELECT pending_pages::int8 FROM pgstatginindex('messages_content_trgm_idx')", logger: InProcessHub.logger)
                for try await pages in rows.decode(Int64.self) { pending = Int(pages) }
                if pending == 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(pending == 0, "pages still pending after 4 s: \(pending)")
            // And merging again finds nothing left.
            #expect(try await service.messages.searchIndex.merge(database) == 0)
        }
    }
}
