import AgentIMCore
import Foundation
import PostgresNIO
@testable import RoomsService
import Testing

/// History pages by `createdAt`, exclusive of the cursor (http-api §1.10), so a room's message
/// times must go up with its sequence: two messages of one room with the same time can fall on
/// both sides of a page's end, and one of them is never listed. Two commits of one room in the
/// same millisecond, or a replica whose clock is behind, gave exactly that.
@Suite struct MessageTimesTests {
    @Test func everyWriteOfAMessageComesAfterTheRoomsNewest() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let database = try await SendGroupCommitTests.setUp(runtime, rooms: ["r-a"])
            let store = service.messages
            // The newest message carries a time a minute ahead of this clock: what a replica with
            // a faster clock wrote, or a commit in the same millisecond looks like from here.
            try await database.client.query("""
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, content, created_at, seq)
                VALUES ('ahead', 'r-a', 'amy', 'user', 'amy', 'from the future', date_trunc('milliseconds', now() + interval '1 minute'), 1)
                """, logger: InProcessHub.logger)
            try await database.client.query("UPDATE rooms SET last_seq = 1 WHERE id = 'r-a'", logger: InProcessHub.logger)

            // Each way a message is written: the group commit (two in one batch), one human
            // message on its own, a forward, an agent's reply.
            let batch = try await store.storeHumanMessages(roomId: "r-a", [
                SendGroupCommitTests.human("g1", room: "r-a", from: "amy"), SendGroupCommitTests.human("g2", room: "r-a", from: "amy")])
            #expect(batch.outcomes.map(SendGroupCommitTests.describe) == ["stored g1 #2", "stored g2 #3"])
            guard case .stored = try await store.storeHumanMessage(SendGroupCommitTests.human("one", room: "r-a", from: "amy")) else {
                Issue.record("the single message was not stored")
                return
            }
            let forwarded = try await store.storeForwarded(roomId: "r-a", userId: "amy", username: "amy", content: "forwarded")
            guard case .stored = try await store.storeAgentReply(id: "reply", roomId: "r-a", agentId: "agent-1", agentName: "bot",
                                                              content: "agent reply", chunks: nil) else {
                Issue.record("the agent reply was not stored")
                return
            }

            var bySeq: [(id: String, at: Date)] = []
            for try await (id, at) in try await database.client.query(
                "SELECT id, created_at FROM messages WHERE room_id = 'r-a' ORDER BY seq", logger: InProcessHub.logger).decode((String, Date).self) {
                bySeq.append((id, at))
            }
            #expect(bySeq.map(\.id) == ["ahead", "g1", "g2", "one", forwarded.id, "reply"])
            for (earlier, later) in zip(bySeq, bySeq.dropFirst()) {
                #expect(later.at > earlier.at, "\(later.id) after \(earlier.id)")
            }

            // Paging one message at a time from the newest lists every one, in sequence order.
            var listed: [String] = []
            var cursor: Date?
            for _ in 0..<10 {
                let page = try await store.history(roomId: "r-a", before: cursor, after: nil, clearedAt: nil, limit: 1)
                listed += page.items.map(\.id)
                guard page.hasMore, let last = page.items.last else { break }
                cursor = Timestamp.parse(last.createdAt)
            }
            #expect(listed == bySeq.map(\.id).reversed())
        }
    }
}
