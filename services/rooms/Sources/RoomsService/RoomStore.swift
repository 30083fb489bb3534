import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `rooms` and `room_members` in PostgreSQL; rooms alone writes them.
public struct RoomStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    static let roomColumns = "r.id, r.name, r.type, r.broadcast_mode, r.system_prompt, r.router_id, r.agent_command_role, r.created_by_id, r.created_at, r.updated_at"
    typealias RoomRow = (String, String, String, Bool, String?, String?, String, String, Date, Date)

    static func room(_ row: RoomRow) -> Room {
        Room(id: row.0, name: row.1, type: row.2, broadcastMode: row.3, systemPrompt: row.4, routerId: row.5,
             agentCommandRole: row.6, createdById: row.7, createdAt: row.8, updatedAt: row.9)
    }

    func find(_ id: String) async throws -> Room? {
        let rows = try await database.client.query("SELECT \(unescaped: Self.roomColumns) FROM rooms r WHERE r.id = \(id)", logger: logger)
        for try await row in rows.decode(RoomRow.self) { return Self.room(row) }
        return nil
    }

    /// Creates the room with its creator as `owner` and `memberIds` as members, atomically.
    func create(_ room: Room, memberIds: [String]) async throws {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("""
                INSERT INTO rooms (id, name, type, broadcast_mode, system_prompt, router_id, agent_command_role, created_by_id, created_at, updated_at)
                VALUES (\(room.id), \(room.name), \(room.type), \(room.broadcastMode), \(room.systemPrompt), \(room.routerId),
                        \(room.agentCommandRole), \(room.createdById), \(room.createdAt), \(room.updatedAt))
                """, logger: logger)
            try await tx.query("""
                INSERT INTO room_members (room_id, member_id, member_type, role, last_read_at, joined_at)
                VALUES (\(room.id), \(room.createdById), 'user', 'owner', \(room.createdAt), \(room.createdAt))
                """, logger: logger)
            for memberId in memberIds {
                try await tx.query("""
                    INSERT INTO room_members (room_id, member_id, member_type, role, joined_at)
                    VALUES (\(room.id), \(memberId), 'user', 'member', \(room.createdAt))
                    """, logger: logger)
            }
        }
    }

    /// The number of `ids` that are existing users.
    func countUsers(_ ids: [String]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let rows = try await database.client.query("SELECT count(*)::int FROM users WHERE id = ANY(\(ids))", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    func userExists(_ id: String) async throws -> Bool {
        try await countUsers([id]) == 1
    }

    func list(for userId: String) async throws -> [RoomListItem] {
        let rows = try await database.client.query("""
            SELECT \(unescaped: Self.roomColumns), m.pinned_at, m.archived_at FROM rooms r
            JOIN room_members m ON m.room_id = r.id AND m.member_id = \(userId) AND m.member_type = 'user'
            ORDER BY r.created_at
            """, logger: logger)
        var items: [RoomListItem] = []
        for try await row in rows.decode((String, String, String, Bool, String?, String?, String, String, Date, Date, Date?, Date?).self) {
            let room = Self.room((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9))
            items.append(RoomListItem(room: room, pinnedAt: row.10, archivedAt: row.11))
        }
        return items
    }

    /// Creator, `user` member, neither, or no such room.
    public func access(userId: String, roomId: String) async throws -> RoomAccess {
        try await accessInfo(userId: userId, roomId: roomId).access
    }

    /// Whether the user may read the room: its creator or a `user` member.
    func isMember(userId: String, roomId: String) async throws -> Bool {
        let access = try await access(userId: userId, roomId: roomId)
        return access == .creator || access == .member
    }

    /// Whether `memberId` is in the room's member list, as that member type (any type when nil).
    func hasMember(roomId: String, memberId: String, type: String?) async throws -> Bool {
        let rows = try await database.client.query("""
            SELECT 1 FROM room_members WHERE room_id = \(roomId) AND member_id = \(memberId)
              AND (\(type)::text IS NULL OR member_type = \(type))
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Access and the room's current sequence, for a socket joining it.
    public func accessInfo(userId: String, roomId: String) async throws -> (access: RoomAccess, lastSeq: Int64) {
        let rows = try await database.client.query("""
            SELECT r.created_by_id = \(userId),
                   EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.member_id = \(userId) AND m.member_type = 'user'),
                   r.last_seq
            FROM rooms r WHERE r.id = \(roomId)
            """, logger: logger)
        for try await (isCreator, isMember, lastSeq) in rows.decode((Bool, Bool, Int64).self) {
            return (isCreator ? .creator : (isMember ? .member : .none), lastSeq)
        }
        return (.missing, 0)
    }

    /// The caller's membership role, counting the creator as `owner`.
    func role(userId: String, room: Room) async throws -> String? {
        if room.createdById == userId { return "owner" }
        let rows = try await database.client.query("""
            SELECT role FROM room_members WHERE room_id = \(room.id) AND member_id = \(userId) AND member_type = 'user'
            """, logger: logger)
        for try await role in rows.decode(String.self) { return role }
        return nil
    }

    func members(roomId: String, limit: Int, offset: Int) async throws -> [RoomMember] {
        let rows = try await database.client.query("""
            SELECT room_id, member_id, member_type, role, role_description, notification_pref, pinned_at, archived_at,
                   last_read_at, cleared_at, joined_at
            FROM room_members WHERE room_id = \(roomId) ORDER BY joined_at, member_id LIMIT \(limit) OFFSET \(offset)
            """, logger: logger)
        var members: [RoomMember] = []
        for try await r in rows.decode((String, String, String, String, String?, String, Date?, Date?, Date?, Date?, Date).self) {
            members.append(RoomMember(roomId: r.0, memberId: r.1, memberType: r.2, role: r.3, roleDescription: r.4,
                                      notificationPref: r.5, pinnedAt: r.6, archivedAt: r.7, lastReadAt: r.8,
                                      clearedAt: r.9, joinedAt: r.10))
        }
        return members
    }

    func countMembers(roomId: String) async throws -> Int {
        let rows = try await database.client.query("SELECT count(*)::int FROM room_members WHERE room_id = \(roomId)", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Adds a member; false when already in the room.
    func addMember(roomId: String, memberId: String, memberType: String, role: String, roleDescription: String?) async throws -> Bool {
        let rows = try await database.client.query("""
            INSERT INTO room_members (room_id, member_id, member_type, role, role_description, joined_at)
            VALUES (\(roomId), \(memberId), \(memberType), \(role), \(roleDescription), now())
            ON CONFLICT (room_id, member_id) DO NOTHING RETURNING member_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// When the user cleared the room's history (hidden from them), if ever.
    func clearedAt(userId: String, roomId: String) async throws -> Date? {
        let rows = try await database.client.query("""
            SELECT cleared_at FROM room_members WHERE room_id = \(roomId) AND member_id = \(userId) AND member_type = 'user'
            """, logger: logger)
        for try await cleared in rows.decode(Date?.self) { return cleared }
        return nil
    }
}
