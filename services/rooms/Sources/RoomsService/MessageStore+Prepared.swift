import AgentIMCore
import Foundation
import PostgresNIO

/// The statements of a batched send (`storeHumanMessages`), prepared once per connection:
/// PostgreSQL parses each of them once. They run on the group commit's own connections
/// (`commitDatabase`), where `plan_cache_mode=force_generic_plan` plans each once as well, so
/// every shape below must make a good generic plan (the reason for the LATERAL probes).
extension MessageStore {
    /// For each (room, sender) pair of a group commit: whether the sender may post there (the
    /// room's creator or a user member) and whether agent routing has anything to do in that room
    /// (an agent member, or commanding agents needs a role that could be refused). No row for a
    /// pair: its room does not exist. One index probe per pair (LATERAL … LIMIT 1): the generic
    /// plan (`commitDatabase`) of a plain join scanned every room, and turned the EXISTS tests
    /// into hashes of every member row, whenever it was made while the tables were small.
    struct SenderAccessStatement: PostgresPreparedStatement {
        typealias Row = (room: String, sender: String, allowed: Bool, agents: Bool)
        static let sql = """
            SELECT k.room, k.sender, r.allowed, r.agents
            FROM unnest($1::text[], $2::text[]) AS k(room, sender) CROSS JOIN LATERAL (\(CommitSQL.access(of: "k"))) r
            """
        var rooms: [String]
        var senders: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(rooms)
            bindings.append(senders)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode((String, String, Bool, Bool).self)
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

    /// The only write of a group commit: each room's sequence moves by its number of messages and
    /// each row takes its place in its room (in input order), in one statement. Rows of a room
    /// that is gone meanwhile are not written (the caller sees them missing).
    ///
    /// It first takes the rooms' rows in id order (`$10`, sorted by the caller; the gate on the
    /// UPDATE is an InitPlan, run before the UPDATE reads a row), so two commits that share rooms
    /// queue instead of deadlocking. One statement, not a transaction: a process frozen between
    /// two statements of a transaction held its rooms' rows until PostgreSQL's idle timeout,
    /// and every commit of its peer waited behind them (the chaos suite's SIGSTOP fault).
    struct InsertMessagesStatement: PostgresPreparedStatement {
        typealias Row = ChatMessage
        static let sql = """
            WITH \(CommitSQL.locked),
                 i AS (\(CommitSQL.rows)),
                 c AS (SELECT room, count(*) AS k FROM i GROUP BY room),
                 \(CommitSQL.sequences)
            \(CommitSQL.insert)
            """
        var rows: NewRows

        func makeBindings() throws -> PostgresBindings { rows.bindings() }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            MessageStore.message(try row.decode(MessageStore.Row.self))
        }
    }

    /// A group commit in one statement when nothing is in the way, which under light load is every
    /// commit: each sender may post in its room, and no message exists yet under any of the command
    /// ids or (sender, client id) pairs. Then it writes as `InsertMessagesStatement` does (rooms
    /// taken in id order, sequences moved, rows in input order) and answers every row with its
    /// room's agent flag (`SenderAccessStatement.agents`). Otherwise it writes nothing and answers
    /// no row, and the caller takes the three-statement way, which tells each case apart. One round
    /// trip instead of two, one statement instead of three. The checks run after the rooms' rows
    /// are taken (the same gate as the UPDATE's), each an index probe (LATERAL … LIMIT 1, the
    /// shape that stays one in a generic plan made while the tables were small). A client id that
    /// is empty is never stored (NULLIF), so its probe finds nothing.
    struct InsertIfClearStatement: PostgresPreparedStatement {
        typealias Row = (message: ChatMessage, agents: Bool)
        static let sql = """
            WITH \(CommitSQL.locked),
                 i AS MATERIALIZED (\(CommitSQL.rows)),
                 checked AS MATERIALIZED (
                     SELECT i.n, coalesce(a.allowed, false) AND byid.id IS NULL AND byclient.id IS NULL AS clear,
                            coalesce(a.agents, false) AS agents
                     FROM i LEFT JOIN LATERAL (\(CommitSQL.access(of: "i"))) a ON true
                     LEFT JOIN LATERAL (SELECT id FROM messages WHERE messages.id = i.id LIMIT 1) byid ON true
                     LEFT JOIN LATERAL (SELECT id FROM messages WHERE messages.sender_id = i.sender AND messages.client_message_id = i.client
                                          AND messages.client_message_id IS NOT NULL LIMIT 1) byclient ON true
                     WHERE (SELECT count(*) FROM locked) >= 0),
                 c AS (SELECT room, count(*) AS k FROM i WHERE (SELECT bool_and(clear) FROM checked) GROUP BY room),
                 \(CommitSQL.sequences),
                 ins AS (\(CommitSQL.insert))
            SELECT ins.*, checked.agents FROM ins JOIN i ON i.id = ins.id JOIN checked ON checked.n = i.n ORDER BY i.n
            """
        var rows: NewRows

        func makeBindings() throws -> PostgresBindings { rows.bindings() }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let r = try row.decode((String, String, String, String, String, String, String, String?, String, String?, Date, Date?, Int64?, Bool).self)
            return (MessageStore.message((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12)), r.13)
        }
    }

    /// The parts both writes of a group commit share, so that they write alike: the rooms' rows
    /// taken in id order, the input rows, the sequences moved, the INSERT, and the sender's access
    /// check that `SenderAccessStatement` runs on its own. Their parameters are `NewRows`'.
    enum CommitSQL {
        /// The rooms' rows, taken in id order (`$10`) before anything else reads them.
        static let locked = """
            locked AS MATERIALIZED (
                     SELECT r.id FROM unnest($10::text[]) AS k(id) CROSS JOIN LATERAL (
                         SELECT id FROM rooms WHERE rooms.id = k.id LIMIT 1 FOR NO KEY UPDATE) r)
            """
        /// The new rows in input order (`n`), one per element of `$1`…`$9`.
        static let rows = """
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                       WITH ORDINALITY AS i(room, id, sender, name, content, reply, mentions, at, client, n)
            """
        /// Each room of `c` (room, k) moves its sequence by k, behind the gate of `locked`, and
        /// gives the time of its newest message (`last`, read under the room's row lock).
        static let sequences = """
            seq AS (UPDATE rooms r SET last_seq = r.last_seq + c.k FROM c
                         WHERE r.id = c.room AND (SELECT count(*) FROM locked) >= 0
                         RETURNING r.id, r.last_seq - c.k AS base,
                                   (SELECT max(m.created_at) FROM messages m WHERE m.room_id = r.id) AS last)
            """
        /// The rows of `i` whose room moved in `seq`, each at its place in its room. Its time is
        /// the one given, or a millisecond per place after the room's newest message when that is
        /// not earlier (`timeOfNewMessageIn`, MessageTimes.swift: a room's times only go up).
        static let insert = """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions, created_at, seq, client_message_id)
                         SELECT i.id, i.room, i.sender, 'user', i.name, 'text', i.content, NULLIF(i.reply, ''), i.mentions::jsonb,
                                greatest(i.at::timestamptz, seq.last + interval '1 millisecond' * row_number() OVER (PARTITION BY i.room ORDER BY i.n)),
                                seq.base + row_number() OVER (PARTITION BY i.room ORDER BY i.n), NULLIF(i.client, '')
                         FROM i JOIN seq ON seq.id = i.room
                         ORDER BY i.n
                         RETURNING \(MessageStore.columns)
            """
        /// One room's row for `alias.room` and `alias.sender`: whether the sender may post (the
        /// creator, or a user member) and whether agent routing has anything to do there.
        static func access(of alias: String) -> String {
            """
            SELECT rooms.created_by_id = \(alias).sender OR EXISTS (
                           SELECT 1 FROM room_members rm WHERE rm.room_id = \(alias).room AND rm.member_id = \(alias).sender AND rm.member_type = 'user') AS allowed,
                       rooms.agent_command_role IN ('owner', 'admin') OR EXISTS (
                           SELECT 1 FROM room_members ra WHERE ra.room_id = \(alias).room AND ra.member_type = 'agent') AS agents
                FROM rooms WHERE rooms.id = \(alias).room LIMIT 1
            """
        }
    }

    /// The rows a group commit writes, as the ten array parameters of both of its writes.
    struct NewRows: Sendable {
        var rooms: [String] = [], ids: [String] = [], senders: [String] = [], names: [String] = [], contents: [String] = []
        var replies: [String] = [], mentions: [String] = [], times: [String] = [], clientIds: [String] = []

        /// Each message with its time and the client id it is stored under (nil: none).
        init(_ rows: [(message: HumanMessage, clientId: String?, time: String)]) {
            for row in rows {
                let m = row.message
                rooms.append(m.roomId); ids.append(m.id); senders.append(m.userId); names.append(m.username); contents.append(m.content)
                replies.append(m.replyToId ?? ""); mentions.append(MessageStore.mentionsJSON(m.mentions))
                times.append(row.time); clientIds.append(row.clientId ?? "")
            }
        }

        func bindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            for column in [rooms, ids, senders, names, contents, replies, mentions, times, clientIds] { bindings.append(column) }
            bindings.append(Array(Set(rooms)).sorted())  // $10: the rooms in id order, the order their rows are taken in
            return bindings
        }
    }
}
