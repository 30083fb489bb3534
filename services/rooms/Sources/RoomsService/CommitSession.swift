import AgentIMCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle

/// The PostgreSQL session of the group commit's one-statement write (`InsertIfClearStatement`,
/// nearly every commit): one connection of its own rather than one leased from a pool for each
/// commit, and its code runs on that connection's event loop (this actor's executor), so the
/// answer resumes the commit without waking another thread. Measured on this machine, a
/// one-row prepared statement: 175 µs through the pool, 130 µs here (idle); under the fan-out
/// benchmark the pool's release after the rows alone took 105 µs of the commit.
///
/// A session that breaks (PostgreSQL restarted, the connection cut) fails the statement that
/// was running on it, like a pool's would; the next statement opens a new one.
actor CommitSession {
    private let eventLoop: any EventLoop
    nonisolated let unownedExecutor: UnownedSerialExecutor
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var current: PostgresConnection?
    private var opening: Task<PostgresConnection, any Error>?
    private var opened = 0

    /// `settings`: the session's server settings (the commit pool's, so both plan alike).
    init(url: DatabaseURL, settings: [(String, String)], logger: Logger) {
        eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        unownedExecutor = eventLoop.executor.asUnownedSerialExecutor()
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.username,
                                                             password: url.password, database: url.database, tls: .disable)
        configuration.options.additionalStartupParameters = settings
        self.configuration = configuration
        self.logger = logger
    }

    /// The rows of `statement`, run on this session (prepared on it the first time).
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        try await MessageStore.collect(try await open().execute(statement, logger: logger))
    }

    /// Runs `body` with the session's connection (tests read its prepared statements).
    func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await body(try await open())
    }

    /// Whether the session is open (a connection that PostgreSQL or the network ended is not).
    var isOpen: Bool { current.map { !$0.isClosed } ?? false }

    private func open() async throws -> PostgresConnection {
        // PostgresNIO never answers a statement written to a connection once its handlers are
        // gone. This check runs on the connection's own event loop and the write follows in the
        // next job queued there; a close in between removes the handlers only in a job queued
        // after ours, so the handler still sees the write and fails it with an error.
        if let current, !current.isClosed { return current }
        if let opening { return try await opening.value }
        opened += 1
        let task = Task { [eventLoop, configuration, logger, opened] in
            try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: opened, logger: logger)
        }
        opening = task
        defer { opening = nil }
        let connection = try await task.value
        current = connection
        return connection
    }

    func close() async {
        let connection = current
        current = nil
        try? await connection?.close()
    }

    /// Opens the session at start (the first send does not wait for a connection; if PostgreSQL
    /// is not there yet, the first commit opens it) and closes it when the service stops.
    nonisolated var service: some Service { Lifetime(session: self) }

    private struct Lifetime: Service {
        let session: CommitSession
        func run() async throws {
            _ = try? await session.withConnection { _ in true }
            try? await gracefulShutdown()
            await session.close()
        }
    }
}
