import AgentIMCore
import AgentIMDatabase
import AgentIMRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO

/// Services built by the same initialisers their `main`s call, run inside the test process
/// through Hummingbird's testing support: no executable, no port unless a test asks for one.
enum InProcessHub {
    static let jwtSecret = "in-process-tests-secret-0123456789abcdef"
    static let logger: Logger = {
        var logger = Logger(label: "agentim.in-process-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, empty database on the test script's throwaway PostgreSQL (`AGENTIM_TEST_PG`).
    static func freshDatabase() async throws -> String {
        guard let server = ProcessInfo.processInfo.environment["AGENTIM_TEST_PG"] else {
            throw InProcessSetupError("AGENTIM_TEST_PG is not set: run the tests through deploy/local/test.sh")
        }
        let name = "inproc_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try Database(url: server + "/postgres", poolSize: 1, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.client.run() }
            defer { group.cancelAll() }
            try await admin.client.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        return server + "/" + name
    }

    /// The runtime a process of `role` would have, from `environment` over test defaults.
    static func runtime(role: String, usesDatabase: Bool = true, environment: [String: String] = [:]) async throws -> Runtime {
        var values = ["NODE_ENV": "test", "JWT_SECRET": jwtSecret, "HOST": "127.0.0.1", "PORT": "0", "LOG_LEVEL": "warn"]
        if usesDatabase { values["DATABASE_URL"] = try await freshDatabase() }
        values.merge(environment) { $1 }
        let config = try HubConfig(environment: Environment(values), role: role)
        return try await Runtime(config: config, usesDatabase: usesDatabase, logger: logger)
    }

    /// Runs `body` against `service` as its own process would serve it (`makeApp`): its
    /// background services and start-up work (migrations) run first; the runtime closes after.
    static func test<S: HubService, Value: Sendable>(
        _ service: S, _ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let app = service.makeApp()
        do {
            let value = try await app.application().test(setup, body)
            await service.runtime.shutdown()
            return value
        } catch {
            await service.runtime.shutdown()
            throw error
        }
    }

    /// An access token for `userId`, signed the way the auth service signs them.
    static func accessToken(_ runtime: Runtime, userId: String, username: String) async throws -> String {
        try await runtime.tokens.sign(userId: userId, username: username, type: .access, lifetimeSeconds: 900)
    }

    /// Inserts a user row directly (the auth service owns users; rooms only reads them).
    static func insertUser(_ runtime: Runtime, id: String, username: String) async throws {
        guard let database = runtime.database else { throw InProcessSetupError("the runtime has no database") }
        try await database.client.query("""
            INSERT INTO users (id, username, display_name, created_at, updated_at) VALUES (\(id), \(username), \(username), now(), now())
            """, logger: logger)
    }
}

struct InProcessSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
