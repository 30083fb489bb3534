import AgentIMCore
import Foundation
import PostgresNIO

/// Room and membership changes behind the REST routes of http-api §6.
extension RoomStore {
    struct RoomChanges: Sendable {
        var name: String?
        var broadcastMode: Bool?
        var systemPrompt: String??
        var routerId: String??
        var agentCommandRole: String?
    }

    func update(_ id: String, _ changes: RoomChanges) async throws {
        try await database.client.withTransaction(logger: logger) { tx in
            if let name = changes.name { try await tx.query("UPDATE rooms SET name = \(name) WHERE id = \(id)", logger: logger) }
            if let mode = changes.broadcastMode { try await tx.query("UPDATE rooms SET broadcast_mode = \(mode) WHERE id = \(id)", logger: logger) }
            if let prompt = changes.systemPrompt { try await tx.query("UPDATE rooms SET system_prompt = \(prompt) WHERE id = \(id)", logger: logger) }
            if let router = changes.routerId { try await tx.query("UPDATE rooms SET router_id = \(router) WHERE id = \(id)", logger: logger) }
            if let role = changes.agentCommandRole { try await tx.query("UPDATE rooms SET agent_command_role = \(role) WHERE id = \(id)", logger: logger) }
            try await tx.query("UPDATE rooms SET updated_at = \(MessageStore.now()) WHERE id = \(id)", logger: logger)
        }
    }

    /// Deletes the room (messages, members, tasks go with it by cascade); returns its user members.
    func delete(_ id: String) async throws -> [String] {
        let members = try await userMemberIds(id)
        try await database.client.query("DELETE FROM rooms WHERE id = \(id)", logger: logger)
        return members
    }

    func userMemberIds(_ roomId: String) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await database.client.query(
            "SELECT member_id FROM room_members WHERE room_id = \(roomId) AND member_type = 'user'", logger: logger).decode(String.self) {
            ids.append(id)
        }
        return ids
    }

    func removeMember(roomId: String, memberId: String) async throws -> (removed: Bool, memberType: String?) {
        let rows = try await database.client.query(
            "DELETE FROM room_members WHERE room_id = \(roomId) AND member_id = \(memberId) RETURNING member_type", logger: logger)
        for try await type in rows.decode(String.self) { return (true, type) }
        return (false, nil)
    }

    func setCleared(userId: String, roomId: String, at: Date) async throws {
        try await database.client.query(
            "UPDATE room_members SET cleared_at = \(at) WHERE room_id = \(roomId) AND member_id = \(userId) AND member_type = 'user'", logger: logger)
    }

    /// Toggles `pinned_at` or `archived_at`; returns the new state.
    func toggle(_ column: ToggleColumn, userId: String, roomId: String) async throws -> Bool {
        let rows = try await database.client.query("""
            UPDATE room_members SET \(unescaped: column.rawValue) = CASE WHEN \(unescaped: column.rawValue) IS NULL THEN now() ELSE NULL END
            WHERE room_id = \(roomId) AND member_id = \(userId) AND member_type = 'user'
            RETURNING \(unescaped: column.rawValue) IS NOT NULL
            """, logger: logger)
        for try await state in rows.decode(Bool.self) { return state }
        return false
    }

    enum ToggleColumn: String { case pinned = "pinned_at", archived = "archived_at" }

    func setNotificationPref(userId: String, roomId: String, pref: String) async throws -> Bool {
        let rows = try await database.client.query("""
            UPDATE room_members SET notification_pref = \(pref)
            WHERE room_id = \(roomId) AND member_id = \(userId) AND member_type = 'user' RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Members with the user's display name or the agent's name (omitted when the row is gone).
    func membersWithNames(roomId: String, limit: Int, offset: Int) async throws -> [RoomMember] {
        var members = try await members(roomId: roomId, limit: limit, offset: offset)
        let userIds = members.filter { $0.memberType == "user" }.map(\.memberId)
        var names: [String: String] = [:]
        if !userIds.isEmpty {
            for try await (id, name) in try await database.client.query(
                "SELECT id, display_name FROM users WHERE id = ANY(\(userIds))", logger: logger).decode((String, String).self) {
                names[id] = name
            }
        }
        let agentIds = members.filter { $0.memberType == "agent" }.map(\.memberId)
        if !agentIds.isEmpty {
            for try await (id, name) in try await database.client.query(
                "SELECT id, name FROM agents WHERE id = ANY(\(agentIds))", logger: logger).decode((String, String).self) {
                names[id] = name
            }
        }
        for index in members.indices { members[index].displayName = names[members[index].memberId] }
        return members
    }


    /// Sets `last_read_at` now in one room (or all of the user's rooms); returns the rooms and time.
    func markRead(userId: String, roomId: String?) async throws -> (rooms: [String], at: Date) {
        let now = MessageStore.now()
        let rows: PostgresRowSequence
        if let roomId {
            rows = try await database.client.query("""
                UPDATE room_members SET last_read_at = \(now)
                WHERE room_id = \(roomId) AND member_id = \(userId) AND member_type = 'user' RETURNING room_id
                """, logger: logger)
        } else {
            rows = try await database.client.query("""
                UPDATE room_members SET last_read_at = \(now) WHERE member_id = \(userId) AND member_type = 'user' RETURNING room_id
                """, logger: logger)
        }
        var rooms: [String] = []
        for try await id in rows.decode(String.self) { rooms.append(id) }
        return (rooms, now)
    }

    func userRoomIds(_ userId: String) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await database.client.query(
            "SELECT room_id FROM room_members WHERE member_id = \(userId) AND member_type = 'user'", logger: logger).decode(String.self) {
            ids.append(id)
        }
        return ids
    }
}

extension RoomStore {
    func routerExists(_ id: String) async throws -> Bool {
        for try await _ in try await database.client.query("SELECT 1 FROM routers WHERE id = \(id)", logger: logger) { return true }
        return false
    }

    func agentExists(_ id: String) async throws -> Bool {
        for try await _ in try await database.client.query("SELECT 1 FROM agents WHERE id = \(id)", logger: logger) { return true }
        return false
    }
}
