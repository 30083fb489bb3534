import AgentIMBus
import AgentIMCore
import AgentIMRedis
import Foundation
import Testing

/// agentim-router processes over the test Redis with a fake LLM, and the test in the role of
/// rooms: it puts `RouterCommand`s on `agentim:cmd:router` and reads `RoomsCommand`s back
/// from `agentim:cmd:rooms` (XREAD from where it started, no group, so nothing is consumed).
final class RouterTopology: @unchecked Sendable {
    static let userId = "router-test-user"

    let database: String
    let redis: RedisClient
    let bus: RedisBus
    let llm: FakeLLM
    let environment: [String: String]
    var routers: [HubProcess] = []
    let roomsStart: String

    init(routers count: Int = 1, extra: [String: String] = [:]) async throws {
        let redisURL = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        database = try TestEnvironment.freshDatabase()
        redis = try RedisClient(redisURL)
        bus = RedisBus(redis: redis)
        llm = try await FakeLLM()
        var env = ["DATABASE_URL": database, "REDIS_URL": redisURL, "JWT_SECRET": "router-topology-secret-long-enough-0123",
                   "ROUTER_ALLOW_PRIVATE_URLS": "true", "BUS_RECLAIM_IDLE_MS": "1500", "ROUTER_BREAKER_OPEN_MS": "1500",
                   "ROUTER_LLM_TIMEOUT_MS": "2000", "NODE_ENV": "test"]
        for (key, value) in extra { env[key] = value }
        environment = env
        roomsStart = try await bus.lastID(BusStream.roomsCommands)
        for _ in 0..<count { try await addRouter() }
        try TestEnvironment.psql(database, """
            INSERT INTO users (id, username, display_name, created_at, updated_at)
            VALUES ('\(Self.userId)', 'router-owner', 'Router Owner', now(), now()), ('other-user', 'other', 'Other', now(), now())
            """)
    }

    @discardableResult
    func addRouter() async throws -> HubProcess {
        let process = try HubProcess("agentim-router", environment: environment)
        try await process.waitUntilHealthy(path: "/internal/health")
        routers.append(process)
        return process
    }

    /// A router row answering as `mode`; the key is stored as plaintext (read back as is, §3.9).
    @discardableResult
    func router(_ mode: String, id: String? = nil, scope: String = "personal", owner: String = RouterTopology.userId) throws -> String {
        let id = id ?? "r-\(mode)-\(Nanoid.make(length: 6))"
        try TestEnvironment.psql(database, """
            INSERT INTO routers (id, name, scope, created_by_id, llm_base_url, llm_api_key, llm_model, created_at, updated_at)
            VALUES ('\(id)', '\(id)', '\(scope)', '\(owner)', '\(llm.baseURL(mode))', 'sk-fake-key', 'fake-model', now(), now())
            """)
        return id
    }

    static func candidates(_ names: [String]) -> [RouteCandidate] {
        names.map { RouteCandidate(id: "agent-\($0.lowercased())", name: $0, type: "claude-code", capabilities: ["code"]) }
    }

    func request(_ messageId: String, router: String?, room: String = "room-1", content: String? = nil,
                 candidates: [RouteCandidate] = RouterTopology.candidates(["Ann", "Bob"]), owner: String = RouterTopology.userId) -> RouteRequest {
        RouteRequest(messageId: messageId, roomId: room, routerId: router, roomCreatedById: owner, systemPrompt: "Room of tests",
                     content: content ?? "hello everyone [m:\(messageId)]", senderId: "u1", senderName: "alice",
                     conversationId: "conv-\(messageId)", candidates: candidates)
    }

    func send(_ command: RouterCommand) async throws {
        try await bus.publish(BusStream.routerCommands, command)
    }

    func route(_ request: RouteRequest) async throws { try await send(.route(request)) }

    /// Every rooms command published since this topology started.
    func answers() async throws -> [RoomsCommand] {
        var result: [RoomsCommand] = []
        var after = roomsStart
        while true {
            let entries = try await bus.read(BusStream.roomsCommands, after: after, count: 1000, block: .milliseconds(1))
            if entries.isEmpty { return result }
            for entry in entries {
                if let command = try? JSONDecoder().decode(RoomsCommand.self, from: entry.payload) { result.append(command) }
            }
            after = entries.last!.id
        }
    }

    func decisions() async throws -> [String: [RouteDecision]] {
        var result: [String: [RouteDecision]] = [:]
        for case .routeDecided(let decision) in try await answers() { result[decision.messageId, default: []].append(decision) }
        return result
    }

    /// Waits until decisions for all of `messageIds` are on the rooms stream.
    func waitForDecisions(_ messageIds: Set<String>, timeout: Duration = .seconds(30)) async throws -> [String: [RouteDecision]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = try await decisions()
            if messageIds.isSubset(of: Set(found.keys)) || ContinuousClock.now > deadline { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Synchronous, so a `defer` really runs it before the test ends (the Redis client's
    /// connections close with the test process).
    func stop() {
        routers.forEach { $0.stop() }
        llm.stop()
    }
}
