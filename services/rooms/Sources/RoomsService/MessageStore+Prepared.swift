import AgentIMCore
import Foundation
import PostgresNIO

/// The statements of a batched send (`storeHumanMessages`), prepared once per connection:
/// PostgreSQL parses and plans each of them once instead of on every batch.
extension MessageStore {
    /// May each sender post in the room, and does agent routing have anything to do there?
    /// No row at all: the room does not exist.
    struct SenderAccessStatement: PostgresPreparedStatement {
        typealias Row = (user: String, allowed: Bool, agents: Bool)
        static let sql = """
            SELECT u.id, r.created_by_id = u.id OR EXISTS (
                SELECT 1 FROM room_members rm WHERE rm.room_id = r.id AND rm.member_id = u.id AND rm.member_type = 'user'),
                r.agent_command_role IN ('owner', 'admin') OR EXISTS (
                SELECT 1 FROM room_members ra WHERE ra.room_id = r.id AND ra.member_type = 'agent')
            FROM rooms r, unnest($1::text[]) AS u(id) WHERE r.id = $2
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
            let (user, allowed, agents) = try row.decode((String, Bool, Bool).self)
            return (user, allowed, agents)
        }
    }

    /// The messages already stored under one of the command ids, or under one of the
    /// (sender, client id) pairs; with each its client id and whether it is under 24 hours old.
    struct ExistingMessagesStatement: PostgresPreparedStatement {
        typealias Row = (message: ChatMessage, clientId: String?, fresh: Bool)
        static let sql = """
            SELECT \(MessageStore.columns), client_message_id, created_at > now() - interval '24 hours' FROM messages
            WHERE id = ANY($1::text[])
               OR (sender_id, client_message_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
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
