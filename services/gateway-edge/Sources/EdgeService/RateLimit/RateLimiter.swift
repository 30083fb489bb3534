import AgentIMRedis
import HTTPTypes
import Logging
import NIOConcurrencyHelpers

/// What a limit said about one hit.
struct RateLimitVerdict: Sendable {
    var allowed: Bool
    /// `X-RateLimit-Limit`, `X-RateLimit-Remaining` and, when refused, `Retry-After`.
    /// Only Redis-backed verdicts carry them (http-api §1.7).
    var headers: [(HTTPField.Name, String)] = []

    static let pass = RateLimitVerdict(allowed: true)

    static let limitHeader = HTTPField.Name("X-RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("X-RateLimit-Remaining")!
    static let retryAfterHeader = HTTPField.Name("Retry-After")!
}

/// Fixed-window counters shared by every edge replica through Redis (one Lua script:
/// INCR, EXPIRE on the first hit), with a per-process fallback when Redis is absent or
/// fails (data-config-security §3.5).
final class RateLimiter: Sendable {
    /// INCR + EXPIRE only when the count becomes 1, so the window is fixed from the first hit;
    /// the TTL is read in the same round trip when the hit is over the limit.
    static let script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        local ttl = -1
        if count > tonumber(ARGV[2]) then ttl = redis.call('TTL', KEYS[1]) end
        return {count, ttl}
        """

    /// The same count and, within the limit, an XADD of the entry the hit was for (its
    /// arguments after the stream key are `ARGV[3]` on): a chat send was two round trips, the
    /// count and then the append.
    static let countThenAppendScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        if count > tonumber(ARGV[2]) then return 0 end
        redis.call('XADD', KEYS[2], unpack(ARGV, 3))
        return 1
        """

    let redis: RedisClient?
    let memory = FixedWindows()
    private let logger: Logger
    private let production: Bool
    private let scriptSHA = NIOLockedValueBox<String?>(nil)
    private let countThenAppendSHA = NIOLockedValueBox<String?>(nil)
    private let warnedAboutMemory = NIOLockedValueBox(false)

    init(redis: RedisClient?, logger: Logger, production: Bool) {
        self.redis = redis
        self.logger = logger
        self.production = production
    }

    /// One HTTP hit: Redis with the bucket's budget, or memory with half of it.
    func hit(_ bucket: RateLimitBucket, identity: String) async -> RateLimitVerdict {
        await hit(key: bucket.key(identity), windowSeconds: bucket.windowSeconds, max: bucket.max, memoryMax: bucket.halvedMax)
    }

    /// The verdict without suspending when there is no Redis to ask (the proxy lane counts
    /// on the event loop); nil when Redis must be asked.
    func immediateHit(_ bucket: RateLimitBucket, identity: String) -> RateLimitVerdict? {
        guard redis == nil else { return nil }
        return memoryHit(key: bucket.key(identity), windowSeconds: bucket.windowSeconds, max: bucket.halvedMax)
    }

    func hit(key: String, windowSeconds: Int, max: Int, memoryMax: Int) async -> RateLimitVerdict {
        if let redis {
            do {
                let (count, ttl) = try await increment(redis, key: key, windowSeconds: windowSeconds, max: max)
                var headers: [(HTTPField.Name, String)] = [(RateLimitVerdict.limitHeader, String(max))]
                if count > max {
                    headers.append((RateLimitVerdict.remainingHeader, "0"))
                    headers.append((RateLimitVerdict.retryAfterHeader, String(ttl > 0 ? ttl : windowSeconds)))
                    return RateLimitVerdict(allowed: false, headers: headers)
                }
                headers.append((RateLimitVerdict.remainingHeader, String(max - count)))
                return RateLimitVerdict(allowed: true, headers: headers)
            } catch {
                logger.warning("rate limit falls back to memory for this request: \(error)")
            }
        }
        return memoryHit(key: key, windowSeconds: windowSeconds, max: memoryMax)
    }

    private func memoryHit(key: String, windowSeconds: Int, max: Int) -> RateLimitVerdict {
        warnOnceAboutMemory()
        return RateLimitVerdict(allowed: memory.hit(key, window: .seconds(windowSeconds), max: max))
    }

    private func increment(_ redis: RedisClient, key: String, windowSeconds: Int, max: Int) async throws -> (Int, Int) {
        let reply = try await Self.evaluate(Self.script, cachedAs: scriptSHA, on: redis, keys: [key],
                                            arguments: [String(windowSeconds), String(max)].map { Array($0.utf8) })
        guard let items = reply.array, items.count == 2, let count = items[0].int, let ttl = items[1].int else {
            throw RedisError("unexpected rate-limit reply \(reply)")
        }
        return (count, ttl)
    }

    /// Counts a hit against `key` in Redis and, within `max`, appends to `stream` the entry that
    /// `fields` give (XADD's arguments after the key), in one script: whether it was appended.
    /// Throws when Redis failed; the count may then have happened and the append not.
    func countThenAppend(key: String, windowSeconds: Int, max: Int, stream: String, fields: [[UInt8]]) async throws -> Bool {
        guard let redis else { throw RedisError("no Redis") }
        let reply = try await Self.evaluate(Self.countThenAppendScript, cachedAs: countThenAppendSHA, on: redis, keys: [key, stream],
                                            arguments: [Array(String(windowSeconds).utf8), Array(String(max).utf8)] + fields)
        guard let appended = reply.int else { throw RedisError("unexpected rate-limit reply \(reply)") }
        return appended == 1
    }

    /// EVALSHA of a script loaded once (and again after Redis forgot it: NOSCRIPT).
    private static func evaluate(_ script: String, cachedAs sha: NIOLockedValueBox<String?>, on redis: RedisClient,
                                 keys: [String], arguments: [[UInt8]]) async throws -> RedisValue {
        let tail = [Array(String(keys.count).utf8)] + keys.map { Array($0.utf8) } + arguments
        if let known = sha.withLockedValue({ $0 }) {
            do {
                return try await redis.sendBytes([Array("EVALSHA".utf8), Array(known.utf8)] + tail)
            } catch let error as RedisError where error.message.hasPrefix("NOSCRIPT") {
                return try await redis.sendBytes([Array("EVAL".utf8), Array(script.utf8)] + tail)
            }
        }
        if let loaded = try await redis.send("SCRIPT", "LOAD", script).string {
            sha.withLockedValue { $0 = loaded }
        }
        return try await redis.sendBytes([Array("EVAL".utf8), Array(script.utf8)] + tail)
    }

    private func warnOnceAboutMemory() {
        let first = warnedAboutMemory.withLockedValue { warned in
            defer { warned = true }
            return !warned
        }
        guard first else { return }
        let message: Logger.Message = "rate limits are in memory (no Redis): per process, at half the configured budget"
        if production { logger.error(message) } else { logger.warning(message) }
    }
}

/// In-memory fixed windows per key, from each key's first hit. At most 10 000 keys:
/// expired ones go first, then the oldest tenth; expired keys are swept every 60 s.
final class FixedWindows: Sendable {
    struct Window { var start: ContinuousClock.Instant; var end: ContinuousClock.Instant; var count: Int }
    struct State {
        var windows: [String: Window] = [:]
        var lastSweep = ContinuousClock.now
    }

    static let capacity = 10_000
    private let state = NIOLockedValueBox(State())

    /// Counts a hit; true while the key's count in its window is within `max`.
    func hit(_ key: String, window: Duration, max: Int) -> Bool {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            if now - state.lastSweep >= .seconds(60) {
                state.windows = state.windows.filter { $0.value.end > now }
                state.lastSweep = now
            }
            if var current = state.windows[key], current.end > now {
                current.count += 1
                state.windows[key] = current
                return current.count <= max
            }
            if state.windows[key] == nil, state.windows.count >= Self.capacity { Self.evict(&state.windows, now: now) }
            state.windows[key] = Window(start: now, end: now + window, count: 1)
            return 1 <= max
        }
    }

    private static func evict(_ windows: inout [String: Window], now: ContinuousClock.Instant) {
        windows = windows.filter { $0.value.end > now }
        guard windows.count >= capacity else { return }
        let oldest = windows.sorted { $0.value.start < $1.value.start }.prefix(capacity / 10).map(\.key)
        for key in oldest { windows[key] = nil }
    }
}
