import AgentIMCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// The hub's PostgreSQL: one `PostgresClient` pool per process, run as a lifecycle service.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    /// `settings`: more server settings for this pool's sessions (a pool kept for statements
    /// that need them, such as `plan_cache_mode`).
    /// `kept`: connections opened at start and kept open (the rest open on demand).
    public init(url raw: String, poolSize: Int, logger: Logger, settings: [(String, String)] = [], kept: Int = 0) throws {
        let url = try DatabaseURL(validating: raw)
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.username,
                                                         password: url.password, database: url.database, tls: .disable)
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = min(kept, poolSize)
        configuration.options.connectionIdleTimeout = .seconds(30)
        // A name of this pool's own, so `poolUsage` can find its connections among the server's.
        applicationName = "agentim-" + Nanoid.make(length: 12)
        // A transaction left open by a process that froze (SIGSTOP, a full node) holds its row
        // locks, and the peer that took over its commands waits on them until it resumes
        // (Tests/chaos: sends of the frozen replica's rooms waited the whole 20 s freeze):
        // PostgreSQL ends such a session after 5 s idle inside a transaction.
        configuration.options.additionalStartupParameters = [("application_name", applicationName),
                                                              ("idle_in_transaction_session_timeout", "5000")] + settings
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.poolSize = poolSize
    }

    /// The `application_name` of this pool's connections.
    public let applicationName: String
    public let poolSize: Int

    /// This pool's connections as PostgreSQL counts them: open, and busy (not idle) other
    /// than the one asking. nil when the database does not answer.
    public func poolUsage() async -> (open: Int, inUse: Int)? {
        do {
            let rows = try await withTimeout(.seconds(3)) {
                try await client.query("""
                    SELECT count(*)::int, (count(*) FILTER (WHERE state <> 'idle'))::int FROM pg_stat_activity
                    WHERE application_name = \(applicationName)
                    """, logger: logger)
            }
            for try await (open, busy) in rows.decode((Int, Int).self) { return (open, max(0, busy - 1)) }
            return nil
        } catch {
            return nil
        }
    }

    /// Runs the pool; must be running before the first query (TOOLCHAIN gotcha).
    public var service: some Service { PoolService(client: client, logger: logger) }

    /// `SELECT 1` for the health check.
    public func isReachable() async -> Bool {
        do {
            let rows = try await withTimeout(.seconds(3)) { try await client.query("SELECT 1", logger: logger) }
            for try await _ in rows {}
            return true
        } catch {
            return false
        }
    }

    /// Runs the pool until the process stops; then waits at most `closeBound` for it to close.
    /// The pool runs outside this task, so that a pool that never finishes cannot hold the
    /// process: PostgresNIO 1.33's `PostgresClient.run()` never returned, even cancelled, once
    /// its idle timeout had closed connections (issue 22: agentim-server idle for a minute after
    /// load stayed alive after SIGTERM; the shutdown watchdog named this service).
    struct PoolService: Service {
        let client: PostgresClient
        let logger: Logger
        static let closeBound: Duration = .seconds(2)

        func run() async throws {
            let (running, runningEnded) = AsyncStream<Never>.makeStream()
            let (closing, closingEnded) = AsyncStream<Never>.makeStream()
            let pool = Task { [client] in
                await client.run()
                runningEnded.finish()
                closingEnded.finish()
            }
            // Until the pool ends by itself, or the graceful shutdown (or a cancellation) comes.
            await cancelWhenGracefulShutdown { for await _ in running {} }
            pool.cancel()
            let closed = await withTaskGroup(of: Bool.self) { group in
                group.addTask { for await _ in closing {}; return !Task.isCancelled }
                group.addTask { try? await LoopSleep.for(Self.closeBound); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !closed { logger.warning("the PostgreSQL pool did not close within \(Self.closeBound); the process stops without waiting for it") }
        }
    }
}

extension DatabaseURL {
    /// `DATABASE_URL` parsed, or the configuration error every connection to it reports.
    public init(validating raw: String) throws {
        guard let url = DatabaseURL(raw) else { throw ConfigError("DATABASE_URL is not a valid postgresql:// URL") }
        self = url
    }
}

/// The SQLSTATE of a PostgreSQL error, e.g. `23505` for a unique violation.
public func sqlState(of error: any Error) -> String? {
    (error as? PSQLError)?.serverInfo?[.sqlState]
}

/// Runs `body`, failing with `CancellationError` when it takes longer than `limit`.
public func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await LoopSleep.for(limit)
            throw CancellationError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
