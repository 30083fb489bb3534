import AgentIMCore
import Foundation
import Testing

/// Two things seen from outside (issue 19): the single process on Redis answers login with
/// the `X-RateLimit-*` headers the distributed edges send; and no background job of any
/// process queries a table before the migrations made it.
@Suite(.serialized)
struct StartupAndRateLimitHeaderTests {
    /// Redis database 9 of the test server: rate-limit keys and streams of their own.
    static var isolatedRedis: String {
        get throws { try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set") + "/9" }
    }

    static func flush(_ redis: String) throws {
        let url = try #require(URLComponents(string: redis))
        try TestEnvironment.run("/usr/bin/redis-cli", ["-h", url.host ?? "127.0.0.1", "-p", String(url.port ?? 6379), "-n", "9", "FLUSHDB"])
    }

    @Test func singleProcessOnRedisSendsRateLimitHeadersOnLogin() async throws {
        let redis = try Self.isolatedRedis
        try Self.flush(redis)
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        // Not NODE_ENV=test: the HTTP rate limits are on.
        let hub = try HubProcess("agentim-server", environment: [
            "DATABASE_URL": try TestEnvironment.freshDatabase(), "REDIS_URL": redis, "ADMIN_PASSWORD": ChatScenario.adminPassword,
            "JWT_SECRET": DistributedHub.secret, "UPLOAD_DIR": upload])
        defer { hub.stop() }
        try await hub.waitUntilHealthy(path: "/api/health")

        var remaining: [Int] = []
        for password in [ChatScenario.adminPassword, "Wrong-pass-1"] {
            let reply = try await HTTP.post(hub.baseURL + "/api/auth/login", json: #"{"username":"admin","password":"\#(password)"}"#)
            #expect(reply.status == (password == ChatScenario.adminPassword ? 200 : 401), "\(reply.body)")
            let limit = try #require(reply.header("X-RateLimit-Limit"), "no X-RateLimit-Limit: \(reply.headers)")
            let left = try #require(reply.header("X-RateLimit-Remaining").flatMap { Int($0) }, "no X-RateLimit-Remaining: \(reply.headers)")
            #expect(Int(limit) ?? 0 > left)
            remaining.append(left)
        }
        #expect(remaining[1] == remaining[0] - 1, "one login bucket counted in Redis: \(remaining)")
        #expect(!hub.log.contains("rate limits are in memory"), "\(hub.log)")
    }

    /// A hub on an empty database: the timers, sweeps and consumers all start before the
    /// migrations and must wait for them; none logs a failed query at any level.
    @Test func noBackgroundJobQueriesBeforeTheSchemaIsInPlace() async throws {
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        let single = try HubProcess("agentim-server", environment: [
            "DATABASE_URL": try TestEnvironment.freshDatabase(), "REDIS_URL": "", "ADMIN_PASSWORD": ChatScenario.adminPassword,
            "JWT_SECRET": DistributedHub.secret, "UPLOAD_DIR": upload, "NODE_ENV": "test", "LOG_LEVEL": "debug",
            // Every interval at its shortest, so each job's first round comes as early as it can.
            "ORPHAN_FILE_CHECK_INTERVAL": "1000", "GATEWAY_CLEANUP_INTERVAL": "1000"])
        defer { single.stop() }
        try await single.waitUntilHealthy(path: "/api/health")

        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        _ = try await topology.startEdge()

        try await Task.sleep(for: .seconds(3))
        for process in [single] + Array(topology.services.values) {
            let log = process.log
            for symptom in ["PSQLError", "does not exist", "sweep failed", "job failed", "cleanup failed"] {
                #expect(!log.contains(symptom), "\(process.name): \(symptom)\n\(log.suffix(3000))")
            }
        }
        // LOG_LEVEL=debug prints the timers' schedules, so they did start (and waited).
        #expect(single.log.contains("orphan upload sweep: every 1000 ms"), "\(single.log.suffix(3000))")
    }
}
