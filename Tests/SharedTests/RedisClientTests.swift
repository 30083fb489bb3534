import AgentIMRedis
import Foundation
import Testing

struct RedisClientTests {
    @Test func commandsRoundTripBinarySafely() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"])
        let redis = try RedisClient(url)
        let key = "agentim:test:\(UUID().uuidString)"
        let value: [UInt8] = [0, 1, 2, 255, 10, 13]
        try await redis.sendBytes([Array("SET".utf8), Array(key.utf8), value])
        #expect(try await redis.send("GET", key) == .bulk(value))
        #expect(try await redis.send("INCR", key + ":n") == .integer(1))
        await #expect(throws: RedisError.self) { try await redis.send("NOSUCHCOMMAND") }
        #expect(try await redis.send("GET", key + ":missing") == .null)
        await redis.shutdown()
    }

    @Test func anUnreachableServerIsReported() async throws {
        let redis = try RedisClient("redis://127.0.0.1:1")
        await #expect(throws: RedisError.self) { try await redis.waitUntilReachable(attempts: 1) }
        await redis.shutdown()
    }
}
