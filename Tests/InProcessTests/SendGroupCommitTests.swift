import AgentIMDatabase
import AgentIMRuntime
import Foundation
import Logging
import PostgresNIO
@testable import RoomsService
import Synchronization
import Testing

/// Sends of rooms that wait at the same time are stored in one commit (issue 20: per-room
/// batches held about two messages, and PostgreSQL's work per statement and per commit was the
/// larger part of its cost per message), with every promise of the one-room path kept.
@Suite struct SendGroupCommitTests {
    typealias Human = MessageStore.HumanMessage

    static func human(_ id: String, room: String, from user: String, client: String? = nil) -> Human {
        Human(id: id, roomId: room, userId: user, username: user, content: "text of \(id)", mentions: [],
              replyToId: nil, clientMessageId: client)
    }

    /// Users amy and bob; rooms made by amy, with bob a member of the first `withBob`.
    static func setUp(_ runtime: Runtime, rooms: [String], withBob: Int = 0) async throws -> Database {
        guard let database = runtime.database else { throw InProcessSetupError("the runtime has no database") }
        try await InProcessHub.insertUser(runtime, id: "amy", username: "amy")
        try await InProcessHub.insertUser(runtime, id: "bob", username: "bob")
        for (index, room) in rooms.enumerated() {
            try await database.client.query("""
                INSERT INTO rooms (id, name, created_by_id, created_at, updated_at) VALUES (\(room), \(room), 'amy', now(), now())
                """, logger: InProcessHub.logger)
            if index < withBob {
                try await database.client.query("""
                    INSERT INTO room_members (room_id, member_id, member_type, role, joined_at)
                    VALUES (\(room), 'bob', 'user', 'member', now())
                    """, logger: InProcessHub.logger)
            }
        }
        return database
    }

    /// The group commit's prepared statements with their plan counts, on each of its
    /// connections: the pool's two and the session of its one-statement write.
    static func commitStatements(_ store: MessageStore) async throws -> [(sql: String, custom: Int, generic: Int)] {
        let read: @Sendable (PostgresConnection) async throws -> [(sql: String, custom: Int, generic: Int)] = { connection in
            let rows = try await connection.query(
                "SELECT statement, custom_plans::int, generic_plans::int FROM pg_prepared_statements", logger: InProcessHub.logger)
            var all: [(sql: String, custom: Int, generic: Int)] = []
            for try await row in rows.decode((String, Int, Int).self) { all.append(row) }
            return all
        }
        let pool = try await store.commitDatabase.client.withConnection { first in
            try await store.commitDatabase.client.withConnection { second in try await read(first) + read(second) }
        }
        return try await store.commitSession.withConnection(read) + pool
    }

    static func describe(_ outcome: MessageStore.SendOutcome) -> String {
        switch outcome {
        case .stored(let m): "stored \(m.id) #\(m.seq ?? -1)"
        case .duplicate(let m): "duplicate of \(m.id)"
        case .roomNotFound: "room not found"
        case .notAMember: "not a member"
        }
    }

    @Test func severalRoomsInOneCommitKeepEachRoomsPromises() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let database = try await Self.setUp(runtime, rooms: ["r-a", "r-b"], withBob: 1)
            // An earlier message in r-b: its sequence goes on from there, and its client id repeats.
            _ = try await service.messages.storeTogether([.init(roomId: "r-b", messages: [Self.human("old", room: "r-b", from: "amy", client: "c-old")])])
            let results = try await service.messages.storeTogether([
                .init(roomId: "r-a", messages: [
                    Self.human("a1", room: "r-a", from: "amy"),
                    Self.human("a2", room: "r-a", from: "bob", client: "c1"),
                    Self.human("a3", room: "r-a", from: "bob", client: "c1"),   // a retry inside the commit
                    Self.human("a1", room: "r-a", from: "amy"),                 // the same command again
                ]),
                .init(roomId: "r-b", messages: [
                    Self.human("b1", room: "r-b", from: "bob"),                 // not a member here
                    Self.human("b2", room: "r-b", from: "amy", client: "c-old"),
                    Self.human("b3", room: "r-b", from: "amy"),
                ]),
                .init(roomId: "r-gone", messages: [Self.human("g1", room: "r-gone", from: "amy")]),
            ])
            #expect(results.map { $0.outcomes.map(Self.describe) } == [
                ["stored a1 #1", "stored a2 #2", "duplicate of a2", "duplicate of a1"],
                ["not a member", "duplicate of old", "stored b3 #2"],
                ["room not found"],
            ])
            #expect(results.map(\.routed) == [false, false, false])
            // One transaction wrote both rooms' rows, and each room's counter moved by its own count.
            let rows = try await database.client.query(
                "SELECT count(DISTINCT xmin::text)::int, string_agg(id || '@' || room_id || '#' || seq, ' ' ORDER BY id) FROM messages WHERE id <> 'old'",
                logger: InProcessHub.logger)
            for try await (transactions, stored) in rows.decode((Int, String).self) {
                #expect(transactions == 1)
                #expect(stored == "a1@r-a#1 a2@r-a#2 b3@r-b#2")
            }
            let counters = try await database.client.query("SELECT string_agg(id || '=' || last_seq, ' ' ORDER BY id) FROM rooms", logger: InProcessHub.logger)
            for try await line in counters.decode(String.self) { #expect(line == "r-a=2 r-b=2") }

            // The group commit's statements were planned once, generically, on each of its
            // connections (a plan made per commit was half a millisecond of PostgreSQL's CPU).
            let statements = try await Self.commitStatements(service.messages)
            #expect(statements.map(\.custom).reduce(0, +) == 0)
            #expect(statements.map(\.generic).reduce(0, +) >= 4, "a clear commit in one statement, then one of three")
        }
    }

    /// A commit with nothing in the way is one statement (`InsertIfClearStatement`); one with a
    /// sender who may not post, a gone room or a repeat of a stored message writes nothing that
    /// way and is taken apart by the three statements, the clear rooms of it included.
    @Test func aCommitThatIsNotClearIsTakenApart() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let database = try await Self.setUp(runtime, rooms: ["r-a", "r-b"], withBob: 1)
            let store = service.messages
            func commit(_ batches: [MessageStore.RoomBatch]) async throws -> [[String]] {
                try await store.storeTogether(batches).map { $0.outcomes.map(Self.describe) }
            }
            func used() async throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for (sql, _, n) in try await Self.commitStatements(store) {
                    let name = sql.contains("clear") ? "one" : sql.contains("INSERT") ? "insert" : "read"
                    counts[name, default: 0] += n
                }
                return counts
            }
            #expect(try await commit([.init(roomId: "r-a", messages: [Self.human("a1", room: "r-a", from: "bob", client: "c1")]),
                                      .init(roomId: "r-b", messages: [Self.human("b1", room: "r-b", from: "amy")])])
                    == [["stored a1 #1"], ["stored b1 #1"]])
            #expect(try await used() == ["one": 1], "a clear commit is one statement")

            // Bob is no member of r-b: nothing of the commit is written by the one statement, and the
            // three store r-a's message and refuse bob's.
            #expect(try await commit([.init(roomId: "r-a", messages: [Self.human("a2", room: "r-a", from: "amy")]),
                                      .init(roomId: "r-b", messages: [Self.human("b2", room: "r-b", from: "bob")])])
                    == [["stored a2 #2"], ["not a member"]])
            // A room that is gone, a command stored before, a client id used before.
            #expect(try await commit([.init(roomId: "r-gone", messages: [Self.human("g1", room: "r-gone", from: "amy")]),
                                      .init(roomId: "r-b", messages: [Self.human("b3", room: "r-b", from: "amy")])])
                    == [["room not found"], ["stored b3 #2"]])
            #expect(try await commit([.init(roomId: "r-a", messages: [Self.human("a1", room: "r-a", from: "bob", client: "c-new")])])
                    == [["duplicate of a1"]])
            #expect(try await commit([.init(roomId: "r-a", messages: [Self.human("a3", room: "r-a", from: "bob", client: "c1"),
                                                                      Self.human("a4", room: "r-a", from: "bob")])])
                    == [["duplicate of a1", "stored a4 #3"]])
            let counts = try await used()
            #expect(counts["one"] == 5 && counts["insert"] == 3, "\(counts)")
            let rows = try await database.client.query(
                "SELECT string_agg(id || '@' || room_id || '#' || seq, ' ' ORDER BY room_id, seq) FROM messages", logger: InProcessHub.logger)
            for try await stored in rows.decode(String.self) { #expect(stored == "a1@r-a#1 a2@r-a#2 a4@r-a#3 b1@r-b#1 b3@r-b#2") }
        }
    }

    /// A room that comes twice in one commit (two reads' batches) still gets one sequence and
    /// distinct, increasing times in sequence order (history pages by time, then id).
    @Test func aRoomTwiceInOneCommitKeepsItsOrder() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let database = try await Self.setUp(runtime, rooms: ["r-a"])
            let results = try await service.messages.storeTogether([
                .init(roomId: "r-a", messages: [Self.human("x1", room: "r-a", from: "amy"), Self.human("x2", room: "r-a", from: "amy")]),
                .init(roomId: "r-a", messages: [Self.human("x3", room: "r-a", from: "amy")]),
            ])
            #expect(results.map { $0.outcomes.map(Self.describe) } == [["stored x1 #1", "stored x2 #2"], ["stored x3 #3"]])
            let rows = try await database.client.query(
                "SELECT string_agg(id, ' ' ORDER BY created_at, id), count(DISTINCT created_at)::int FROM messages", logger: InProcessHub.logger)
            for try await (order, times) in rows.decode((String, Int).self) {
                #expect(order == "x1 x2 x3")
                #expect(times == 3)
            }
        }
    }

    @Test func roomsThatWaitDuringACommitGoTogetherInTheNext() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let rooms = (0..<10).map { "r-\($0)" }
            let database = try await Self.setUp(runtime, rooms: rooms)
            let store = service.messages
            // Another transaction holds r-0's row: the first commit (r-0) waits on it, the other
            // nine rooms' sends queue behind that commit.
            let outcomes = try await database.client.withTransaction(logger: InProcessHub.logger) { tx in
                try await tx.query("SELECT 1 FROM rooms WHERE id = 'r-0' FOR UPDATE", logger: InProcessHub.logger)
                let first = Task { try await store.storeHumanMessages(roomId: "r-0", [Self.human("m-0", room: "r-0", from: "amy")]) }
                try await Self.waitFor { try await Self.sessionsWaitingForALock(database) == 1 }
                let rest = Task {
                    try await withThrowingTaskGroup(of: [String].self) { group in
                        for room in rooms.dropFirst() {
                            group.addTask {
                                let result = try await store.storeHumanMessages(roomId: room, [
                                    Self.human("\(room)-x", room: room, from: "amy"), Self.human("\(room)-y", room: room, from: "amy")])
                                return result.outcomes.map(Self.describe)
                            }
                        }
                        var all: [[String]] = []
                        for try await outcomes in group { all.append(outcomes) }
                        return all
                    }
                }
                try await Self.waitFor { store.groupCommit.waitingBatches == 9 }
                return (first, rest)
            }
            #expect(try await outcomes.0.value.outcomes.map(Self.describe) == ["stored m-0 #1"])
            #expect(Set(try await outcomes.1.value) == Set(rooms.dropFirst().map { ["stored \($0)-x #1", "stored \($0)-y #2"] }))
            let rows = try await database.client.query(
                "SELECT count(DISTINCT xmin::text)::int, count(*)::int FROM messages", logger: InProcessHub.logger)
            for try await (transactions, count) in rows.decode((Int, Int).self) {
                #expect(count == 19)
                #expect(transactions == 2, "the nine waiting rooms in one commit")
            }
        }
    }

    /// Two commits that share rooms (two rooms replicas) must not deadlock: each takes the rooms'
    /// rows in id order, so while it waits for one room it holds none that sorts after it.
    @Test func aCommitTakesItsRoomsInIdOrder() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            // Made in reverse id order: a scan of the table meets r-c first.
            let database = try await Self.setUp(runtime, rooms: ["r-c", "r-b", "r-a"])
            let store = service.messages
            let logger = InProcessHub.logger
            let commit = try await database.client.withTransaction(logger: logger) { tx in
                try await tx.query("SELECT 1 FROM rooms WHERE id = 'r-a' FOR UPDATE", logger: logger)
                let commit = Task {
                    try await store.storeTogether(["r-c", "r-b", "r-a"].map { room in
                        .init(roomId: room, messages: [Self.human("\(room)-1", room: room, from: "amy")])
                    })
                }
                // Blocked on r-a's row (the first in id order)...
                try await Self.waitFor { try await Self.sessionsWaitingForALock(database) == 1 }
                // ...it holds neither of the others.
                for room in ["r-b", "r-c"] {
                    try await tx.query("SELECT 1 FROM rooms WHERE id = \(room) FOR UPDATE NOWAIT", logger: logger)
                }
                return commit
            }
            let results = try await commit.value
            #expect(results.map { $0.outcomes.map(Self.describe) } == [["stored r-c-1 #1"], ["stored r-b-1 #1"], ["stored r-a-1 #1"]])
        }
    }

    /// A commit of several rooms that fails (here one room's sequence collides with a row written
    /// behind the hub's back) is retried room by room: the other rooms are stored, only the
    /// failing one reports its error (and goes down the one-at-a-time path in the worker).
    @Test func oneFailingRoomDoesNotFailTheOthers() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let database = try await Self.setUp(runtime, rooms: ["r-a", "r-b"])
            let store = service.messages
            try await database.client.query("""
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, content, created_at, seq)
                VALUES ('stray', 'r-b', 'amy', 'user', 'amy', 'written behind the hub', now(), 1)
                """, logger: InProcessHub.logger)
            let a = Task { try await store.storeHumanMessages(roomId: "r-a", [Self.human("a1", room: "r-a", from: "amy")]) }
            let b = Task { try await store.storeHumanMessages(roomId: "r-b", [Self.human("b1", room: "r-b", from: "amy")]) }
            #expect(try await a.value.outcomes.map(Self.describe) == ["stored a1 #1"])
            await #expect(throws: (any Error).self) { try await b.value }
        }
    }

    /// The one-statement write runs on a session of its own (`CommitSession`). When PostgreSQL
    /// ends that session (a restart, an administrator), the next commit opens a new one and is
    /// stored; it does not keep failing on the dead connection.
    @Test func aSessionThatPostgreSQLEndedIsOpenedAgain() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let service = try RoomsService(runtime: runtime)
        try await InProcessHub.test(service) { _ in
            let database = try await Self.setUp(runtime, rooms: ["r-a"])
            let store = service.messages
            let pid: @Sendable (PostgresConnection) async throws -> Int = { connection in
                var pid = 0
                for try await value in try await connection.query("SELECT pg_backend_pid()", logger: InProcessHub.logger).decode(Int.self) { pid = value }
                return pid
            }
            #expect(try await store.storeTogether([.init(roomId: "r-a", messages: [Self.human("a1", room: "r-a", from: "amy")])])
                        .map { $0.outcomes.map(Self.describe) } == [["stored a1 #1"]])
            let first = try await store.commitSession.withConnection(pid)
            try await database.client.query("SELECT pg_terminate_backend(\(first)::int)", logger: InProcessHub.logger)
            try await Self.waitFor { await !store.commitSession.isOpen }

            // A statement written to a closed connection is never answered: bounded by waitFor, so a
            // session that is not opened again fails this test rather than hanging it.
            let second = Task { try await store.storeTogether([.init(roomId: "r-a", messages: [Self.human("a2", room: "r-a", from: "amy")])]) }
            let answered = Answered()
            Task { _ = try? await second.value; answered.done.withLock { $0 = true } }
            try await Self.waitFor { answered.done.withLock { $0 } }
            #expect(try await second.value.map { $0.outcomes.map(Self.describe) } == [["stored a2 #2"]])
            #expect(try await store.commitSession.withConnection(pid) != first)
            let statements = try await Self.commitStatements(store)
            #expect(statements.filter { $0.sql.contains("clear") }.map(\.generic).reduce(0, +) == 1, "the new session prepared the statement again")
        }
    }

    final class Answered: Sendable { let done = Mutex(false) }

    static func sessionsWaitingForALock(_ database: Database) async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
            logger: InProcessHub.logger)
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }

    static func waitFor(_ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw InProcessSetupError("timed out waiting")
    }
}
