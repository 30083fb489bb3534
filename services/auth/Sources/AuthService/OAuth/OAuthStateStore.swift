import AgentIMCore
import AgentIMRedis
import Foundation
import Synchronization

/// What a pending OAuth `state` stands for: the provider it was issued for and, for a
/// link started by a signed-in user (`POST /oauth/:provider/link`), that user. The
/// callback links the provider account to `linkUserId` instead of signing in.
struct OAuthPendingState: Codable, Sendable, Equatable {
    var provider: String
    var linkUserId: String?
}

/// Pending states, 10 minutes each (data-config-security §3.3, §5): in Redis under
/// `oauth_state:<state>` when the process has Redis, so any auth process can finish a flow
/// another started; else in this process's memory, at most 1,000 at a time.
protocol OAuthStateStore: Sendable {
    /// Stores `entry` under `state`; false when the memory store is full.
    func put(_ state: String, _ entry: OAuthPendingState) async throws -> Bool
    /// Removes and returns the entry, nil when unknown or expired. Read and delete are one
    /// step, so a state is good for one callback only.
    func take(_ state: String) async throws -> OAuthPendingState?
}

enum OAuthStates {
    static let lifetimeSeconds = 600
    static let memoryCapacity = 1000
    static let sweepInterval: Duration = .seconds(120)
}

struct RedisOAuthStateStore: OAuthStateStore {
    let redis: RedisClient

    static func key(_ state: String) -> String { "oauth_state:\(state)" }

    func put(_ state: String, _ entry: OAuthPendingState) async throws -> Bool {
        let value = try JSONCoding.encodeString(entry)
        try await redis.send("SET", Self.key(state), value, "EX", String(OAuthStates.lifetimeSeconds))
        return true
    }

    func take(_ state: String) async throws -> OAuthPendingState? {
        guard let text = try await redis.send("GETDEL", Self.key(state)).string else { return nil }
        return try? JSONCoding.decode(OAuthPendingState.self, from: Data(text.utf8))
    }
}

final class MemoryOAuthStateStore: OAuthStateStore {
    private let entries = Mutex<[String: (entry: OAuthPendingState, expires: ContinuousClock.Instant)]>([:])
    let capacity: Int
    let lifetime: Duration

    init(capacity: Int = OAuthStates.memoryCapacity, lifetime: Duration = .seconds(OAuthStates.lifetimeSeconds)) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    func put(_ state: String, _ entry: OAuthPendingState) async throws -> Bool {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            if entries.count >= capacity {
                // Expired entries do not count against the cap, even before the sweep ran.
                entries = entries.filter { $0.value.expires > now }
                guard entries.count < capacity else { return false }
            }
            entries[state] = (entry, now + lifetime)
            return true
        }
    }

    func take(_ state: String) async throws -> OAuthPendingState? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let found = entries.removeValue(forKey: state), found.expires > now else { return nil }
            return found.entry
        }
    }

    /// Drops the expired entries (every 2 minutes, §4).
    func sweep() {
        let now = ContinuousClock.now
        entries.withLock { $0 = $0.filter { $0.value.expires > now } }
    }

    var count: Int { entries.withLock { $0.count } }
}
