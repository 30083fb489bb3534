import AgentIMRedis
import Foundation
import Synchronization

/// Which users have an open `/ws/client` socket on some edge, for the processes that do not
/// hold sockets (Web Push skips people who are looking). With Redis, each edge keeps a lease
/// per user in the sorted set `agentim:presence:<userId>` (member: the edge's node id, score:
/// when the lease runs out) and renews it while the user has sockets there; an edge that
/// crashes stops renewing, so its users count as away once the lease expires. Without Redis
/// every piece runs in one process and the board is a plain map.
public final class PresenceBoard: Sendable {
    /// How long a lease lives without renewal (45 s; `PRESENCE_LEASE_MS`, 3 s–10 min, for
    /// tests); edges renew every third of it.
    public static let leaseMs: Int = {
        let raw = ProcessInfo.processInfo.environment["PRESENCE_LEASE_MS"].flatMap { Int($0) }
        return raw.flatMap { (3000...600_000).contains($0) ? $0 : nil } ?? 45_000
    }()

    let redis: RedisClient?
    private let local = Mutex<[String: Set<String>]>([:])
    private static let boards = Mutex<[ObjectIdentifier: PresenceBoard]>([:])

    init(redis: RedisClient?) { self.redis = redis }

    /// The board every piece of this process shares (the edge writes it, the push sender reads it).
    public static func of(_ runtime: Runtime) -> PresenceBoard {
        boards.withLock { boards in
            if let board = boards[ObjectIdentifier(runtime)] { return board }
            let board = PresenceBoard(redis: runtime.redis)
            boards[ObjectIdentifier(runtime)] = board
            return board
        }
    }

    static func key(_ userId: String) -> String { "agentim:presence:\(userId)" }

    /// `node` holds sockets of these users: (re)grants their leases.
    public func hold(_ userIds: [String], node: String) async throws {
        guard let redis else {
            local.withLock { map in for user in userIds { map[user, default: []].insert(node) } }
            return
        }
        let until = Array(String(Self.nowMs() + Self.leaseMs).utf8), keep = Array(String(Self.leaseMs * 2).utf8), member = Array(node.utf8)
        // Pipelined, a batch of users per round trip: an edge renews every user it holds every
        // 15 s, and one round trip per command cost 10,000 users 20,000 of them each time.
        for users in Self.batches(userIds) {
            try await Self.check(redis.pipeline(users.flatMap { user -> [[[UInt8]]] in
                let key = Array(Self.key(user).utf8)
                return [[Array("ZADD".utf8), key, until, member], [Array("PEXPIRE".utf8), key, keep]]
            }))
        }
    }

    /// `node` no longer holds a socket of `userId`.
    public func release(_ userId: String, node: String) async throws {
        guard let redis else {
            local.withLock { map in
                map[userId]?.remove(node)
                if map[userId]?.isEmpty == true { map[userId] = nil }
            }
            return
        }
        _ = try await redis.send("ZREM", Self.key(userId), node)
    }

    /// The users among `userIds` with an unexpired lease on some edge.
    public func online(among userIds: [String]) async throws -> Set<String> {
        guard let redis else {
            return local.withLock { map in Set(userIds.filter { map[$0] != nil }) }
        }
        var found = Set<String>()
        let after = Array(("(" + String(Self.nowMs())).utf8)
        for users in Self.batches(userIds) {
            // Expired leases of a crashed edge stay behind until the key expires; counting only
            // live scores makes them not count.
            let counts = try Self.check(await redis.pipeline(users.map { [Array("ZCOUNT".utf8), Array(Self.key($0).utf8), after, Array("+inf".utf8)] }))
            for (user, count) in zip(users, counts) where (count.int ?? 0) > 0 { found.insert(user) }
        }
        return found
    }

    /// Users per pipelined round trip.
    static let batchSize = 256

    static func batches(_ userIds: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: userIds.count, by: batchSize).map { userIds[$0..<min($0 + batchSize, userIds.count)] }
    }

    /// A pipeline's replies, or the first error among them, thrown.
    @discardableResult
    static func check(_ replies: [RedisValue]) throws -> [RedisValue] {
        for reply in replies { if case .error(let message) = reply { throw RedisError(message) } }
        return replies
    }

    static func nowMs() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}
