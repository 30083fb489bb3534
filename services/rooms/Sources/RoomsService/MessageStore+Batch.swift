import AgentIMCore
import AgentIMDatabase
import Foundation
import PostgresNIO

extension MessageStore {
    /// Stores the waiting human messages of one room with the promises of `storeHumanMessage`
    /// (room and membership checks, idempotent by command id and by client id within 24 h, one
    /// room sequence each, in order) in three round trips for the whole batch: the access of
    /// every sender, the messages that already exist, and one statement that takes the
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

        // 1. May each sender post here? No row at all: the room does not exist.
        let senders = Array(Set(batch.map(\.userId)))
        var allowed: [String: Bool] = [:]
        var routed = true
        for try await (user, ok, agents) in try await database.client.query("""
            SELECT u.id, r.created_by_id = u.id OR EXISTS (
                SELECT 1 FROM room_members rm WHERE rm.room_id = r.id AND rm.member_id = u.id AND rm.member_type = 'user'),
                r.agent_command_role IN ('owner', 'admin') OR EXISTS (
                SELECT 1 FROM room_members ra WHERE ra.room_id = r.id AND ra.member_type = 'agent')
            FROM rooms r, unnest(\(senders)::text[]) AS u(id) WHERE r.id = \(roomId)
            """, logger: logger).decode((String, Bool, Bool).self) {
            allowed[user] = ok
            routed = agents
        }
        if allowed.isEmpty { return (batch.map { _ in .roomNotFound }, false) }

        // 2. What is already stored, by command id or by (sender, client id).
        let ids = batch.map(\.id)
        let withClientId = batch.filter { $0.clientMessageId != nil }
        var byId: [String: ChatMessage] = [:]
        var byClientId: [ClientKey: (message: ChatMessage, fresh: Bool)] = [:]
        let existing = try await database.client.query("""
            SELECT \(unescaped: Self.columns), client_message_id, created_at > now() - interval '24 hours' FROM messages
            WHERE id = ANY(\(ids)::text[])
               OR (sender_id, client_message_id) IN (SELECT * FROM unnest(\(withClientId.map(\.userId))::text[], \(withClientId.map { $0.clientMessageId ?? "" })::text[]))
            """, logger: logger)
        for try await row in existing.decode((String, String, String, String, String, String, String, String?, String, String?, Date, Date?, Int64?, String?, Bool).self) {
            let message = Self.message((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12))
            byId[message.id] = message
            if let clientId = row.13 { byClientId[ClientKey(sender: message.senderId, clientId: clientId)] = (message, row.14) }
        }

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
            let rows = try await database.client.query("""
                WITH seq AS (UPDATE rooms SET last_seq = last_seq + \(inserts.count) WHERE id = \(roomId) RETURNING last_seq)
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions, created_at, seq, client_message_id)
                SELECT i.id, \(roomId), i.sender, 'user', i.name, 'text', i.content, NULLIF(i.reply, ''), i.mentions::jsonb,
                       i.at::timestamptz, seq.last_seq - \(inserts.count) + i.n, NULLIF(i.client, '')
                FROM seq, unnest(\(inserts.map(\.message.id))::text[], \(inserts.map(\.message.userId))::text[],
                                 \(inserts.map(\.message.username))::text[], \(inserts.map(\.message.content))::text[],
                                 \(inserts.map { $0.message.replyToId ?? "" })::text[], \(mentions)::text[], \(times)::text[],
                                 \(inserts.map { $0.clientId ?? "" })::text[])
                     WITH ORDINALITY AS i(id, sender, name, content, reply, mentions, at, client, n)
                ORDER BY i.n
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            let byNewId = Dictionary(try await Self.messages(rows).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
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

    /// Whether `storeHumanMessages` takes this message.
    static func batchable(_ m: HumanMessage) -> Bool { m.attachmentIds.isEmpty }

    struct ClientKey: Hashable {
        var sender: String
        var clientId: String
    }
}
