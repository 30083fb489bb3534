import AgentIMRedis
import Foundation
import Synchronization

/// The newest message of a burst: what the notification shows.
struct PushItem: Codable, Sendable, Equatable {
    var roomId: String
    var roomName: String
    var senderName: String
    var preview: String
    var messageId: String
    var mention: Bool
}

/// A burst ready to send: one notification for `userId` about `count` messages in a room.
struct DueBurst: Sendable, Equatable {
    var userId: String
    var count: Int
    var item: PushItem
}

/// Pending bursts per (user, room). A message opens or extends its recipient's burst, which
/// falls due after `quietMs` without a new message or `maxDelayMs` after it opened, whichever
/// comes first; taking a due burst removes it. With Redis both steps are one script each, so
/// replicas that consume different messages of the same burst still make one notification,
/// and only one replica takes it. Without Redis it is a map in this (only) process.
protocol PushBursts: Sendable {
    /// True the first time `messageId` is seen (a re-announced message is not counted twice).
    func firstSighting(_ messageId: String) async throws -> Bool
    func add(userId: String, item: PushItem, nowMs: Int, quietMs: Int, maxDelayMs: Int) async throws
    func takeDue(nowMs: Int, limit: Int) async throws -> [DueBurst]
}

final class MemoryPushBursts: PushBursts {
    struct Burst { var openedMs: Int; var dueMs: Int; var count: Int; var item: PushItem }
    private let state = Mutex<(bursts: [String: Burst], seen: [String: Int])>(([:], [:]))

    func firstSighting(_ messageId: String) async throws -> Bool {
        let now = PushClock.nowMs()
        return state.withLock { state in
            if state.seen.count > 50_000 { state.seen = state.seen.filter { $0.value > now } }
            if let until = state.seen[messageId], until > now { return false }
            state.seen[messageId] = now + 600_000
            return true
        }
    }

    func add(userId: String, item: PushItem, nowMs: Int, quietMs: Int, maxDelayMs: Int) async throws {
        let key = userId + ":" + item.roomId
        state.withLock { state in
            var burst = state.bursts[key] ?? Burst(openedMs: nowMs, dueMs: nowMs, count: 0, item: item)
            burst.count += 1
            burst.item = item
            burst.dueMs = min(burst.openedMs + maxDelayMs, nowMs + quietMs)
            state.bursts[key] = burst
        }
    }

    func takeDue(nowMs: Int, limit: Int) async throws -> [DueBurst] {
        state.withLock { state in
            let due = state.bursts.filter { $0.value.dueMs <= nowMs }.prefix(limit)
            return due.map { key, burst in
                state.bursts[key] = nil
                return DueBurst(userId: String(key.prefix { $0 != ":" }), count: burst.count, item: burst.item)
            }
        }
    }
}

final class RedisPushBursts: PushBursts {
    let redis: RedisClient
    static let due = "agentim:push:due"
    static let burstPrefix = "agentim:push:burst:"

    init(redis: RedisClient) { self.redis = redis }

    func firstSighting(_ messageId: String) async throws -> Bool {
        try await redis.send("SET", "agentim:push:seen:\(messageId)", "1", "NX", "EX", "600") != .null
    }

    /// KEYS: the burst's hash, the due set. ARGV: now, quiet, max delay, item, member.
    static let addScript = """
        local opened = redis.call('HGET', KEYS[1], 'opened')
        if not opened then opened = ARGV[1]; redis.call('HSET', KEYS[1], 'opened', opened) end
        redis.call('HSET', KEYS[1], 'item', ARGV[4])
        redis.call('HINCRBY', KEYS[1], 'count', 1)
        redis.call('PEXPIRE', KEYS[1], 600000)
        local due = math.min(tonumber(opened) + tonumber(ARGV[3]), tonumber(ARGV[1]) + tonumber(ARGV[2]))
        redis.call('ZADD', KEYS[2], due, ARGV[5])
        return 1
        """

    /// KEYS: the due set. ARGV: now, limit, the bursts' key prefix. Returns member, count, item triples.
    static let takeScript = """
        local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        local out = {}
        for _, member in ipairs(members) do
          redis.call('ZREM', KEYS[1], member)
          local key = ARGV[3] .. member
          local values = redis.call('HMGET', key, 'count', 'item')
          redis.call('DEL', key)
          if values[2] then
            table.insert(out, member); table.insert(out, values[1]); table.insert(out, values[2])
          end
        end
        return out
        """

    func add(userId: String, item: PushItem, nowMs: Int, quietMs: Int, maxDelayMs: Int) async throws {
        let member = userId + ":" + item.roomId
        let json = String(decoding: try JSONEncoder().encode(item), as: UTF8.self)
        let reply = try await redis.send("EVAL", Self.addScript, "2", Self.burstPrefix + member, Self.due,
                                         String(nowMs), String(quietMs), String(maxDelayMs), json, member)
        if case .error(let message) = reply { throw RedisError(message) }
    }

    func takeDue(nowMs: Int, limit: Int) async throws -> [DueBurst] {
        let reply = try await redis.send("EVAL", Self.takeScript, "1", Self.due, String(nowMs), String(limit), Self.burstPrefix)
        if case .error(let message) = reply { throw RedisError(message) }
        let values = reply.array ?? []
        var bursts: [DueBurst] = []
        var index = 0
        while index + 2 < values.count {
            defer { index += 3 }
            guard let member = values[index].string, let count = values[index + 1].int, let json = values[index + 2].string,
                  let item = try? JSONDecoder().decode(PushItem.self, from: Data(json.utf8)) else { continue }
            bursts.append(DueBurst(userId: String(member.prefix { $0 != ":" }), count: count, item: item))
        }
        return bursts
    }
}

enum PushClock {
    static func nowMs() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}
