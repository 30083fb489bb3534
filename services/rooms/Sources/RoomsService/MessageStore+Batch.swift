import AgentIMCore
import AgentIMDatabase
import Foundation
import PostgresNIO

extension MessageStore {
    /// Stores the waiting human messages of one room with the promises of `storeHumanMessage`
    /// (room and membership checks, idempotent by command id and by client id within 24 h, one
    /// room sequence each, in order) in three prepared statements for the whole batch, the first two
    /// side by side: the access of every sender, the messages that already exist, and one statement that takes the
    /// sequence range and inserts every row. That statement is the only write and is atomic on
    /// its own (a consistent read-then-write needs no transaction around it: a message that
    /// appears between the reads and the write breaks a unique index, the statement fails and
    /// the caller stores the batch one message at a time). Outcomes come back in input order.
    ///
    /// Messages with attachments are not taken here (their link must commit with the row):
    /// `batchable` says which are. `routed` is false when agent routing has nothing to do in
    /// this room (no agent members, and commanding agents needs no role that could be refused).
    func storeHumanMessages(roomId: String, _ batch: [HumanMessage]) async throws -> (outcomes: [SendOutcome], routed: Bool) {
        precondition(batch.allSatisfy { $0.roomId == roomId && $0.attachmentIds.isEmpty })
        guard !batch.isEmpty else { return ([], false) }

        // 1 and 2 side by side (two connections, one round trip's wait): may each sender post
        // here (no row at all: the room does not exist), and what is already stored, by command
        // id or by (sender, client id).
        let senders = Array(Set(batch.map(\.userId)))
        let withClientId = batch.filter { $0.clientMessageId != nil }
        async let accessRows = Self.collect(database.client.execute(
            SenderAccessStatement(senders: senders, roomId: roomId), logger: logger))
        async let existingRows = Self.collect(database.client.execute(ExistingMessagesStatement(
            ids: batch.map(\.id), senders: withClientId.map(\.userId), clientIds: withClientId.map { $0.clientMessageId ?? "" }), logger: logger))
        var allowed: [String: Bool] = [:]
        var routed = true
        if let access = try await accessRows.first {
            for sender in senders { allowed[sender] = sender == access.creator || access.members.contains(sender) }
            routed = access.agents
        }
        var byId: [String: ChatMessage] = [:]
        var byClientId: [ClientKey: (message: ChatMessage, fresh: Bool)] = [:]
        for row in try await existingRows {
            byId[row.message.id] = row.message
            if let clientId = row.clientId { byClientId[ClientKey(sender: row.message.senderId, clientId: clientId)] = (row.message, row.fresh) }
        }
        if allowed.isEmpty { return (batch.map { _ in .roomNotFound }, false) }

        // 3. Decide each message in order; repeats inside the batch answer with their first copy.
        enum Plan { case outcome(SendOutcome), insert(Int), sameAs(Int) }
        var plans: [Plan] = []
        var inserts: [(message: HumanMessage, clientId: String?)] = []
        var insertById: [String: Int] = [:]
        var insertByClientId: [ClientKey: Int] = [:]
        for m in batch {
            guard let ok = allowed[m.userId] else { plans.append(.outcome(.notAMember)); continue }
            guard ok else { plans.append(.outcome(.notAMember)); continue }
            if let stored = byId[m.id] { plans.append(.outcome(.duplicate(stored))); continue }
            if let index = insertById[m.id] { plans.append(.sameAs(index)); continue }
            var clientId = m.clientMessageId
            if let clientMessageId = m.clientMessageId {
                let key = ClientKey(sender: m.userId, clientId: clientMessageId)
                if let earlier = byClientId[key] {
                    if earlier.fresh { plans.append(.outcome(.duplicate(earlier.message))); continue }
                    clientId = nil  // the same id after 24 hours is a new message; the old one keeps the id
                } else if let index = insertByClientId[key] {
                    plans.append(.sameAs(index)); continue
                }
                if clientId != nil { insertByClientId[key] = inserts.count }
            }
            insertById[m.id] = inserts.count
            plans.append(.insert(inserts.count))
            inserts.append((m, clientId))
        }

        // 4. One statement: the room's sequence moves by the batch's size, each row takes its place.
        var stored: [ChatMessage] = []
        if !inserts.isEmpty {
            let base = Self.now()
            // Distinct, increasing times in sequence order: history pages by (created_at, id).
            let times = inserts.indices.map { Timestamp.format(base.addingTimeInterval(Double($0) / 1000)) }
            let mentions = try inserts.map { String(decoding: try JSONEncoder().encode($0.message.mentions), as: UTF8.self) }
            let rows = try await Self.collect(try await database.client.execute(InsertMessagesStatement(
                roomId: roomId, count: Int64(inserts.count), ids: inserts.map(\.message.id), senders: inserts.map(\.message.userId),
                names: inserts.map(\.message.username), contents: inserts.map(\.message.content),
                replies: inserts.map { $0.message.replyToId ?? "" }, mentions: mentions, times: times,
                clientIds: inserts.map { $0.clientId ?? "" }), logger: logger))
            let byNewId = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            stored = try inserts.map { insert in
                guard let message = byNewId[insert.message.id] else { throw APIError(500, "message not stored") }
                return message
            }
        }
        return (plans.map { plan in
            switch plan {
            case .outcome(let outcome): outcome
            case .insert(let index): .stored(stored[index])
            case .sameAs(let index): .duplicate(stored[index])
            }
        }, routed)
    }

    /// Every row of a prepared statement's answer.
    static func collect<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Rows.Element] {
        var result: [Rows.Element] = []
        for try await row in rows { result.append(row) }
        return result
    }

    /// Whether `storeHumanMessages` takes this message.
    static func batchable(_ m: HumanMessage) -> Bool { m.attachmentIds.isEmpty }

    struct ClientKey: Hashable {
        var sender: String
        var clientId: String
    }
}
