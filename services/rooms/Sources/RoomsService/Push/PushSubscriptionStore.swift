import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `push_subscriptions` in PostgreSQL; rooms alone writes it.
struct PushSubscriptionStore: Sendable {
    struct Subscription: Sendable, Equatable {
        var id: String
        var userId: String
        var endpoint: String
        var p256dh: String
        var auth: String
    }

    let database: Database
    var logger: Logger { database.logger }

    /// Saves the subscription; an endpoint already saved (by anyone) is re-assigned to `userId`
    /// with the new keys, as the browser that owns it is now signed in as them.
    func upsert(userId: String, endpoint: String, p256dh: String, auth: String) async throws {
        try await database.client.query("""
            INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at)
            VALUES (\(Nanoid.make()), \(userId), \(endpoint), \(p256dh), \(auth), now())
            ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh,
                auth = EXCLUDED.auth, created_at = EXCLUDED.created_at
            """, logger: logger)
        // A user keeps their newest `perUser` browsers; an unbounded list would let one account fill the table.
        try await database.client.query("""
            DELETE FROM push_subscriptions WHERE user_id = \(userId) AND id NOT IN (
                SELECT id FROM push_subscriptions WHERE user_id = \(userId) ORDER BY created_at DESC, id LIMIT \(Self.perUser))
            """, logger: logger)
    }

    static let perUser = 20

    /// Deletes the caller's own subscription at `endpoint`; someone else's stays.
    func delete(userId: String, endpoint: String) async throws {
        try await database.client.query("DELETE FROM push_subscriptions WHERE endpoint = \(endpoint) AND user_id = \(userId)", logger: logger)
    }

    /// Forgets a subscription its push service says is gone (404/410), unless it was re-saved meanwhile.
    func remove(id: String, endpoint: String) async throws {
        try await database.client.query("DELETE FROM push_subscriptions WHERE id = \(id) AND endpoint = \(endpoint)", logger: logger)
    }

    /// Every subscription of these users.
    func subscriptions(of userIds: [String]) async throws -> [Subscription] {
        guard !userIds.isEmpty else { return [] }
        let rows = try await database.client.query("""
            SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ANY(\(userIds))
            """, logger: logger)
        var found: [Subscription] = []
        for try await (id, userId, endpoint, p256dh, auth) in rows.decode((String, String, String, String, String).self) {
            found.append(Subscription(id: id, userId: userId, endpoint: endpoint, p256dh: p256dh, auth: auth))
        }
        return found
    }

    /// The users among `userIds` with at least one subscription.
    func subscribed(among userIds: [String]) async throws -> Set<String> {
        guard !userIds.isEmpty else { return [] }
        let rows = try await database.client.query("SELECT DISTINCT user_id FROM push_subscriptions WHERE user_id = ANY(\(userIds))", logger: logger)
        var found = Set<String>()
        for try await userId in rows.decode(String.self) { found.insert(userId) }
        return found
    }

    /// A person in a room, as the push sender sees them.
    struct Recipient: Sendable, Equatable {
        var userId: String
        var username: String
        var pref: String
    }

    /// The room's name and its human members with their notification preference.
    func audience(roomId: String) async throws -> (roomName: String, members: [Recipient])? {
        var name: String?
        for try await roomName in try await database.client.query("SELECT name FROM rooms WHERE id = \(roomId)", logger: logger).decode(String.self) {
            name = roomName
        }
        guard let name else { return nil }
        let rows = try await database.client.query("""
            SELECT u.id, u.username, m.notification_pref FROM room_members m JOIN users u ON u.id = m.member_id
            WHERE m.room_id = \(roomId) AND m.member_type = 'user'
            """, logger: logger)
        var members: [Recipient] = []
        for try await (id, username, pref) in rows.decode((String, String, String).self) {
            members.append(Recipient(userId: id, username: username, pref: pref))
        }
        return (name, members)
    }
}
