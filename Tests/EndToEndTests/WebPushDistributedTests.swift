import AgentIMCore
import AgentIMRedis
import Foundation
import Testing

/// Web Push in the distributed topology: two rooms replicas share the `push` consumer group
/// and the bursts in Redis, two edges share presence through Redis leases.
@Suite(.serialized)
struct WebPushDistributedTests {
    @Test func twoRoomsReplicasSendEachBurstOnceAndEdgesSharePresence() async throws {
        let push = try await PushService()
        defer { push.stop() }
        let base = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        let redisURL = base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/\(Int.random(in: 9...15))"
        let topology = try DistributedHub()
        var env = topology.common.merging(WebPushTests.tuning) { $1 }
        env["REDIS_URL"] = redisURL
        env["PRESENCE_LEASE_MS"] = "3000"
        var processes: [HubProcess] = []
        defer { processes.forEach { $0.stop() } }
        var urls: [String: String] = [:]
        for name in ["auth", "rooms", "router", "uploads", "rooms"] {
            let process = try HubProcess("agentim-\(name)", environment: env)
            processes.append(process)
            if urls[name] == nil { urls[name] = process.baseURL }
        }
        for process in processes { try await process.waitUntilHealthy(path: "/internal/health") }
        var edgeEnv = env
        edgeEnv["DATABASE_URL"] = nil
        for (name, url) in urls { edgeEnv["\(name.uppercased())_URL"] = url }
        let edgeA = try HubProcess("agentim-edge", environment: edgeEnv)
        let edgeB = try HubProcess("agentim-edge", environment: edgeEnv)
        processes += [edgeA, edgeB]
        try await edgeA.waitUntilHealthy(path: "/api/health")
        try await edgeB.waitUntilHealthy(path: "/api/health")

        // admin sends through edge A; bob is online through edge B only.
        let scene = try await WebPushTests.scene(base: edgeB.baseURL, ws: edgeB.wsURL, push: push, senderWS: edgeA.wsURL)
        defer { scene.close() }
        for burst in 1...3 {
            for index in 1...4 { scene.send("burst \(burst) message \(index)") }
            let carol = try await scene.pushes("carol", count: burst)
            #expect(carol.count == burst, "burst \(burst): \(carol.count) pushes")
            #expect(carol.last?.payload?["count"] == .number(4))
            #expect(carol.last?.errors == [])
        }
        #expect(try await push.received().filter { $0.name == "bob" || $0.name == "admin" || $0.name == "frank" }.isEmpty)

        // Both replicas are consumers of the group (so the test above really had two senders).
        let redis = try RedisClient(redisURL)
        defer { Task { await redis.shutdown() } }
        let consumers = try await redis.send("XINFO", "CONSUMERS", BusStream.events, "push").array ?? []
        #expect(consumers.count >= 2)

        // bob's edge dies without a word: his lease runs out (3 s here) and he is away for push.
        let bobId = try #require(scene.ids["bob"])
        edgeB.kill9()
        #expect(await Wait.until(.seconds(10), every: .milliseconds(200)) {
            let now = Int(Date().timeIntervalSince1970 * 1000)
            return (try? await redis.send("ZCOUNT", "agentim:presence:\(bobId)", "(\(now)", "+inf").int) == 0
        })
        scene.send("after the crash")
        let bobPushes = try await scene.pushes("bob", count: 1)
        #expect(bobPushes.count == 1)
    }
}
