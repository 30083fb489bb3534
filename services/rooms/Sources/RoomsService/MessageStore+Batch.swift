import AgentIMCore
import AgentIMDatabase
import AgentIMRuntime
import Foundation
import PostgresNIO

extension MessageStore {
    /// A pool of two connections for the group commit (its two reads run side by side) whose
    /// sessions plan its prepared statements once, generically. Each of them unnests arrays of
    /// keys, and PostgreSQL's plan cache, which counts ten elements for a generic plan and the
    /// real number for one made for the values, otherwise plans them again for every commit of
    /// one or two messages: half a millisecond of its CPU per commit under light load. Their
    /// generic plans are the same index probes (`MessagePathQueryPlanTests`). The hub's other
    /// statements keep the default: this setting would apply to them too.
    static func commitDatabase(_ runtime: Runtime) throws -> Database {
        // Both kept open: a commit that is not clear (a retry, a refused sender) does not wait
        // for connections. A clear one, nearly every commit, runs on `commitSession`.
        try Database(url: runtime.config.databaseURL, poolSize: 2, logger: runtime.logger, settings: commitSettings, kept: 2)
    }
    static let commitSettings = [("plan_cache_mode", "force_generic_plan")]

    /// The session of the group commit's one-statement write (`CommitSession`), planned like the pool.
    static func commitSession(_ runtime: Runtime) throws -> CommitSession {
        CommitSession(url: try DatabaseURL(validating: runtime.config.databaseURL), settings: commitSettings, logger: runtime.logger)
    }

    /// One room's waiting human messages, in stream order, and what storing them answered.
    struct RoomBatch: Sendable {
        var roomId: String
        var messages: [HumanMessage]
    }
    /// `routed` is false when agent routing has nothing to do in the room (no agent members,
    /// and commanding agents needs no role that could be refused).
    typealias BatchResult = (outcomes: [SendOutcome], routed: Bool)

    /// Stores the waiting human messages of one room with the promises of `storeHumanMessage`
    /// (room and membership checks, idempotent by command id and by client id within 24 h, one
    /// room sequence each, in order). Rooms that wait at the same time are stored together by
    /// the group commit (`SendGroupCommit`): one set of statements and one commit for all.
    /// Outcomes come back in input order.
    ///
    /// Messages with attachments are not taken here (their link must commit with the row):
    /// `batchable` says which are.
    func storeHumanMessages(roomId: String, _ batch: [HumanMessage]) async throws -> BatchResult {
        precondition(batch.allSatisfy { $0.roomId == roomId && $0.attachmentIds.isEmpty })
        guard !batch.isEmpty else { return ([], false) }
        return try await groupCommit.store(RoomBatch(roomId: roomId, messages: batch), with: self)
    }

    /// Stores several rooms' batches in one statement when nothing is in the way (`storeIfClear`),
    /// else in three prepared statements for all, the first two side by side: the access of every
    /// (room, sender), the messages that already exist, and one statement that takes each room's sequence range and inserts every row. That statement is
    /// the only write and is atomic on its own (it takes the rooms' rows in id order first); a
    /// consistent read-then-write needs nothing more: a message that
    /// appears between the reads and the write breaks a unique index and the statement fails.
    /// `SendGroupCommit` then stores each room's batch on its own, and a room that fails alone
    /// goes back to its command worker, which stores it one message at a time. Results in input
    /// order.
    func storeTogether(_ batches: [RoomBatch]) async throws -> [BatchResult] {
        let all = batches.flatMap(\.messages)
        guard !all.isEmpty else { return batches.map { _ in ([], false) } }
        searchIndex.noteStored(all.count)
        if let stored = try await storeIfClear(batches, all) { return stored }

        // 1 and 2 side by side (two connections, one round trip's wait): may each sender post in
        // its room (no row: the room does not exist), and what is already stored, by command id
        // or by (sender, client id).
        let pairs = Array(Set(all.map { RoomSender(room: $0.roomId, sender: $0.userId) }))
        let withClientId = all.filter { $0.clientMessageId != nil }
        async let accessRows = Self.collect(commitDatabase.client.execute(
            SenderAccessStatement(rooms: pairs.map(\.room), senders: pairs.map(\.sender)), logger: logger))
        async let existingRows = Self.collect(commitDatabase.client.execute(ExistingMessagesStatement(
            ids: all.map(\.id), senders: withClientId.map(\.userId), clientIds: withClientId.map { $0.clientMessageId ?? "" }), logger: logger))
        var allowed: [RoomSender: Bool] = [:]
        var routed: [String: Bool] = [:]
        for row in try await accessRows {
            allowed[RoomSender(room: row.room, sender: row.sender)] = row.allowed
            routed[row.room] = row.agents
        }
        var byId: [String: ChatMessage] = [:]
        var byClientId: [ClientKey: (message: ChatMessage, fresh: Bool)] = [:]
        for row in try await existingRows {
            byId[row.message.id] = row.message
            if let clientId = row.clientId { byClientId[ClientKey(sender: row.message.senderId, clientId: clientId)] = (row.message, row.fresh) }
        }

        // 3. Decide each message in order; repeats inside the commit answer with their first copy.
        enum Plan { case outcome(SendOutcome), insert(Int), sameAs(Int) }
        var plans: [[Plan]] = []
        var inserts: [(message: HumanMessage, clientId: String?, time: String)] = []
        var insertById: [String: Int] = [:]
        var insertByClientId: [ClientKey: Int] = [:]
        var times = RoomTimes()
        for batch in batches {
            guard routed[batch.roomId] != nil else {
                plans.append(batch.messages.map { _ in .outcome(.roomNotFound) })
                continue
            }
            var roomPlans: [Plan] = []
            for m in batch.messages {
                guard allowed[RoomSender(room: m.roomId, sender: m.userId)] == true else { roomPlans.append(.outcome(.notAMember)); continue }
                if let stored = byId[m.id] { roomPlans.append(.outcome(.duplicate(stored))); continue }
                if let index = insertById[m.id] { roomPlans.append(.sameAs(index)); continue }
                var clientId = m.clientMessageId
                if let clientMessageId = m.clientMessageId {
                    let key = ClientKey(sender: m.userId, clientId: clientMessageId)
                    if let earlier = byClientId[key] {
                        if earlier.fresh { roomPlans.append(.outcome(.duplicate(earlier.message))); continue }
                        clientId = nil  // the same id after 24 hours is a new message; the old one keeps the id
                    } else if let index = insertByClientId[key] {
                        roomPlans.append(.sameAs(index)); continue
                    }
                    if clientId != nil { insertByClientId[key] = inserts.count }
                }
                insertById[m.id] = inserts.count
                roomPlans.append(.insert(inserts.count))
                inserts.append((m, clientId, times.next(in: m.roomId)))
            }
            plans.append(roomPlans)
        }

        // 4. One statement: each room's sequence moves by its count, each row takes its place.
        var stored: [ChatMessage] = []
        if !inserts.isEmpty {
            let statement = InsertMessagesStatement(rows: NewRows(inserts))
            let rows = try await Self.collect(try await commitDatabase.client.execute(statement, logger: logger))
            let byNewId = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            stored = try inserts.map { insert in
                guard let message = byNewId[insert.message.id] else { throw APIError(500, "message not stored") }
                return message
            }
        }
        return zip(batches, plans).map { batch, roomPlans in
            (roomPlans.map { plan in
                switch plan {
                case .outcome(let outcome): outcome
                case .insert(let index): .stored(stored[index])
                case .sameAs(let index): .duplicate(stored[index])
                }
            }, routed[batch.roomId] ?? false)
        }
    }

    /// `storeTogether` in one statement (`InsertIfClearStatement`): every message stored, each
    /// room's sequence in input order, or nothing stored (nil) when a sender may not post, a room
    /// is gone, or a message repeats an earlier one (in the store, or inside this commit, which is
    /// seen here without asking). The three-statement way then tells those cases apart.
    private func storeIfClear(_ batches: [RoomBatch], _ all: [HumanMessage]) async throws -> [BatchResult]? {
        var ids = Set<String>(), clientKeys = Set<ClientKey>()
        for m in all {
            guard ids.insert(m.id).inserted else { return nil }
            if let clientId = m.clientMessageId, !clientKeys.insert(ClientKey(sender: m.userId, clientId: clientId)).inserted { return nil }
        }
        var times = RoomTimes()
        let rows = all.map { m in (message: m, clientId: m.clientMessageId, time: times.next(in: m.roomId)) }
        let statement = InsertIfClearStatement(rows: NewRows(rows))
        let answer = try await commitSession.rows(statement)
        guard !answer.isEmpty else { return nil }
        let byId = Dictionary(answer.map { ($0.message.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try batches.map { batch in
            var agents = false
            let outcomes = try batch.messages.map { m -> SendOutcome in
                guard let row = byId[m.id] else { throw APIError(500, "message not stored") }
                agents = row.agents
                return .stored(row.message)
            }
            return (outcomes, agents)
        }
    }

    /// The times of a commit's new rows: distinct and increasing in each room's sequence order
    /// (history pages by created_at, then id), a millisecond apart from one clock reading. A room
    /// may come in two batches of one commit; its count goes on.
    struct RoomTimes {
        private let base = MessageStore.now()
        private var placed: [String: Int] = [:]

        mutating func next(in room: String) -> String {
            let place = placed[room, default: 0]
            placed[room] = place + 1
            return Timestamp.format(base.addingTimeInterval(Double(place) / 1000))
        }
    }

    /// Mentions as the JSON array the column holds (user names: escaped as JSON strings).
    static func mentionsJSON(_ mentions: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, name) in mentions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.appendQuoted(name, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Every row of a prepared statement's answer.
    static func collect<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Rows.Element] {
        var result: [Rows.Element] = []
        for try await row in rows { result.append(row) }
        return result
    }

    /// Whether `storeHumanMessages` takes this message.
    static func batchable(_ m: HumanMessage) -> Bool { m.attachmentIds.isEmpty }

    struct RoomSender: Hashable {
        var room: String
        var sender: String
    }

    struct ClientKey: Hashable {
        var sender: String
        var clientId: String
    }
}
