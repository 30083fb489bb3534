import AgentIMCore
import Foundation
import PostgresNIO

/// The statements of a batched send (`storeHumanMessages`), prepared once per connection:
/// PostgreSQL parses each of them once, and plans it once when its generic plan is as cheap
/// as one made for the values (the reason for the shapes below).
extension MessageStore {
    /// The room's creator, which of the senders are its user members, and whether agent routing
    /// has anything to do there. No row: the room does not exist. One row with the members in an
    /// array rather than a row per sender from `unnest`: PostgreSQL plans that shape for every
    /// batch (a generic plan counts ten senders, one for the values counts the real few, and
    /// looks cheaper), and planning was a seventh of its CPU at 5,000 messages/s.
    struct SenderAccessStatement: PostgresPreparedStatement {
        typealias Row = (creator: String, agents: Bool, members: [String])
        static let sql = """
            SELECT r.created_by_id,
                r.agent_command_role IN ('owner', 'admin') OR EXISTS (
                SELECT 1 FROM room_members ra WHERE ra.room_id = r.id AND ra.member_type = 'agent'),
                ARRAY(SELECT rm.member_id FROM room_members rm
                      WHERE rm.room_id = r.id AND rm.member_type = 'user' AND rm.member_id = ANY($1::text[]))
            FROM rooms r WHERE r.id = $2
            """
        var senders: [String]
        var roomId: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(senders)
            bindings.append(roomId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode((String, Bool, [String]).self)
        }
    }

    /// The messages already stored under one of the command ids, or under one of the
    /// (sender, client id) pairs; with each its client id and whether it is under 24 hours old.
    /// One index probe per key (both keys are unique, hence LIMIT 1, which also keeps each probe
    /// a nested loop). Written as one WHERE with OR and an IN-subquery it was a sequential scan of
    /// every message (37 ms per batch at 100,000 messages); as a join it still was whenever its
    /// plan had been made while the table was small (a fresh database under load, until
    /// autovacuum's first ANALYZE). This shape probes the indexes in every plan.
    struct ExistingMessagesStatement: PostgresPreparedStatement {
        typealias Row = (message: ChatMessage, clientId: String?, fresh: Bool)
        static let sql = """
            SELECT m.* FROM unnest($1::text[]) AS k(id) CROSS JOIN LATERAL (
                SELECT \(MessageStore.columns), client_message_id, created_at > now() - interval '24 hours'
                FROM messages WHERE messages.id = k.id LIMIT 1) m
            UNION ALL
            SELECT m.* FROM unnest($2::text[], $3::text[]) AS k(sender, client) CROSS JOIN LATERAL (
                SELECT \(MessageStore.columns), client_message_id, created_at > now() - interval '24 hours'
                FROM messages WHERE messages.sender_id = k.sender AND messages.client_message_id = k.client
                  AND messages.client_message_id IS NOT NULL LIMIT 1) m
            """
        var ids: [String]
        var senders: [String]
        var clientIds: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(ids)
            bindings.append(senders)
            bindings.append(clientIds)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let r = try row.decode((String, String, String, String, String, String, String, String?, String, String?, Date, Date?, Int64?, String?, Bool).self)
            return (MessageStore.message((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12)), r.13, r.14)
        }
    }

    /// The only write of a batch: the room's sequence moves by the batch's size and each row
    /// takes its place, in one statement (atomic on its own).
    struct InsertMessagesStatement: PostgresPreparedStatement {
        typealias Row = ChatMessage
        static let sql = """
            WITH seq AS (UPDATE rooms SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq)
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions, created_at, seq, client_message_id)
            SELECT i.id, $1, i.sender, 'user', i.name, 'text', i.content, NULLIF(i.reply, ''), i.mentions::jsonb,
                   i.at::timestamptz, seq.last_seq - $2 + i.n, NULLIF(i.client, '')
            FROM seq, unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                 WITH ORDINALITY AS i(id, sender, name, content, reply, mentions, at, client, n)
            ORDER BY i.n
            RETURNING \(MessageStore.columns)
            """
        var roomId: String
        var count: Int64
        var ids: [String]
        var senders: [String]
        var names: [String]
        var contents: [String]
        var replies: [String]
        var mentions: [String]
        var times: [String]
        var clientIds: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.append(roomId)
            bindings.append(count)
            for column in [ids, senders, names, contents, replies, mentions, times, clientIds] { bindings.append(column) }
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            MessageStore.message(try row.decode(MessageStore.Row.self))
        }
    }
}
