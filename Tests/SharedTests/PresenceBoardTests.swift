import AgentIMRedis
@testable import AgentIMRuntime
import Foundation
import Testing

/// The presence leases in Redis, granted and looked up in pipelined batches of users.
struct PresenceBoardTests {
    @Test func leasesOfManyUsersAreGrantedFoundAndReleased() async throws {
        let redis = try RedisClient(try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"], "AGENTIM_TEST_REDIS is not set"))
        let board = PresenceBoard(redis: redis)
        let tag = UUID().uuidString.prefix(8)
        // More than two batches, the last one partial.
        let held = (0..<(PresenceBoard.batchSize * 2 + 7)).map { "presence-\(tag)-\($0)" }
        let unknown = (0..<3).map { "presence-\(tag)-nobody-\($0)" }
        try await board.hold(held, node: "edge-a")

        #expect(try await board.online(among: unknown + held) == Set(held))
        for user in [held.first!, held.last!] {
            #expect(try await redis.send("ZSCORE", PresenceBoard.key(user), "edge-a").string != nil)
            let ttl = try #require(try await redis.send("PTTL", PresenceBoard.key(user)).int)
            #expect(ttl > PresenceBoard.leaseMs && ttl <= PresenceBoard.leaseMs * 2)
        }

        // A lease that ran out does not count, though its key is still there.
        let expired = held[PresenceBoard.batchSize]
        _ = try await redis.send("ZADD", PresenceBoard.key(expired), String(PresenceBoard.nowMs() - 1), "edge-a")
        try await board.release(held[0], node: "edge-a")
        #expect(try await board.online(among: held) == Set(held).subtracting([held[0], expired]))
        #expect(try await board.online(among: []) == [])

        for user in held { _ = try await redis.send("DEL", PresenceBoard.key(user)) }
        await redis.shutdown()
    }

    @Test func aRefusedLeaseIsAnError() async throws {
        let redis = try RedisClient(try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"], "AGENTIM_TEST_REDIS is not set"))
        let board = PresenceBoard(redis: redis)
        let user = "presence-\(UUID().uuidString.prefix(8))-wrongtype"
        // A key of another type: ZADD is refused, and so is the renewal that carried it.
        _ = try await redis.send("SET", PresenceBoard.key(user), "x")
        await #expect(throws: RedisError.self) { try await board.hold(["presence-ok-\(user)", user], node: "edge-a") }
        _ = try await redis.send("DEL", PresenceBoard.key(user), PresenceBoard.key("presence-ok-\(user)"))
        await redis.shutdown()
    }
}
