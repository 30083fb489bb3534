import AgentIMRedis
import Foundation
import Synchronization

/// Each TOTP code is accepted once (RFC 6238 §5.2; the original accepts a code again for its
/// whole window). A user's last accepted time step is remembered for as long as a code can
/// stay valid; a code of that step or an earlier one is then refused, so neither a replay
/// nor an older code still inside the drift window gets in. In Redis (`totp_step:<userId>`)
/// when the process has it, so that every auth replica refuses the replay; else in memory.
struct TOTPReplayGuard: Sendable {
    /// Longer than a code's validity: its own step plus one step of drift either way.
    static let memorySeconds = Int(TOTP.period) * (2 * TOTP.drift + 2)

    /// Compare-and-set in one step, so two logins racing with one code cannot both pass.
    static let script = """
        local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
        if tonumber(ARGV[1]) <= last then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        return 1
        """

    let redis: RedisClient?
    private let memory = MemorySteps()

    init(redis: RedisClient?) { self.redis = redis }

    /// Records `step` as used by `userId`; false when it (or a later step) was used already.
    func claim(userId: String, step: Int64) async throws -> Bool {
        if let redis {
            let reply = try await redis.send("EVAL", Self.script, "1", "totp_step:\(userId)", String(step), String(Self.memorySeconds))
            return reply.int == 1
        }
        return memory.claim(userId: userId, step: step, now: ContinuousClock.now)
    }

    final class MemorySteps: Sendable {
        private let last = Mutex<[String: (step: Int64, until: ContinuousClock.Instant)]>([:])

        func claim(userId: String, step: Int64, now: ContinuousClock.Instant) -> Bool {
            last.withLock { entries in
                if entries.count > 10_000 { entries = entries.filter { $0.value.until > now } }
                if let entry = entries[userId], entry.until > now, step <= entry.step { return false }
                entries[userId] = (step, now + .seconds(TOTPReplayGuard.memorySeconds))
                return true
            }
        }
    }
}
