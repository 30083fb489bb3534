import AgentIMCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// Redis for async code. Ordinary commands are pipelined on one NIO connection per event loop
/// (`PipelinedRedis`). Blocking reads (`XREAD BLOCK`, given a read timeout) run on a small pool
/// of hiredis connections whose blocking calls run on a private thread pool, never on an event
/// loop: each holds a connection of its own for its duration, so it never holds up the rest.
public final class RedisClient: Sendable {
    private let url: RedisURL
    private let pipelined: PipelinedRedis
    private let threads: NIOThreadPool
    private let idle = NIOLockedValueBox<[RedisConnection]>([])
    private let maxIdle: Int

    /// `maxIdle` defaults to one idle connection per thread: no more can be busy at once, so
    /// none is closed to be opened again (with 8 for 16 threads, 4,055 connections were opened in
    /// one 10 s overload run of bench/fanout.py, each a connect and a SELECT).
    public init(url: RedisURL, threads: Int = 16, maxIdle: Int? = nil) {
        self.url = url
        self.pipelined = PipelinedRedis(url: url)
        self.threads = NIOThreadPool(numberOfThreads: threads)
        self.threads.start()
        self.maxIdle = maxIdle ?? threads
    }

    public convenience init(_ raw: String) throws {
        guard let url = RedisURL(raw) else { throw RedisError("invalid REDIS_URL") }
        self.init(url: url)
    }

    public func shutdown() async {
        await pipelined.shutdown()
        try? await threads.shutdownGracefully()
        idle.withLockedValue { $0.removeAll() }
    }

    /// Runs one command. An `error` reply is thrown as `RedisError`.
    @discardableResult
    public func send(_ arguments: String...) async throws -> RedisValue {
        try await send(arguments)
    }

    @discardableResult
    public func send(_ arguments: [String]) async throws -> RedisValue {
        try await sendBytes(arguments.map { Array($0.utf8) })
    }

    /// `readTimeoutSeconds`: a blocking read, on a connection of its own for that long at most.
    @discardableResult
    public func sendBytes(_ arguments: [[UInt8]], readTimeoutSeconds: Int? = nil) async throws -> RedisValue {
        let reply = if let readTimeoutSeconds {
            try await blockingRead(arguments, readTimeoutSeconds: readTimeoutSeconds)
        } else {
            try await pipelined.send(arguments)
        }
        if case .error(let message) = reply { throw RedisError(message) }
        return reply
    }

    /// The pool's connections serve only these reads, and each sets its own timeout first.
    private func blockingRead(_ arguments: [[UInt8]], readTimeoutSeconds: Int) async throws -> RedisValue {
        try await threads.runIfActive { [self] in
            let connection = try checkout()
            connection.setTimeout(seconds: readTimeoutSeconds)
            do {
                let reply = try connection.command(arguments)
                checkin(connection)
                return reply
            } catch {
                // A failed connection is dropped; the next call opens a fresh one.
                if !connection.isBroken { checkin(connection) }
                throw error
            }
        }
    }

    /// Runs several commands on one connection in one round trip; the replies come back in
    /// order, an `error` reply in its place (not thrown).
    public func pipeline(_ commands: [[[UInt8]]]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try await pipelined.pipeline(commands)
    }

    /// PING with the reachability rule of the refusal matrix: a few attempts one second apart.
    public func waitUntilReachable(attempts: Int = 3) async throws {
        var lastError: (any Error)?
        for attempt in 1...attempts {
            do {
                _ = try await send("PING")
                return
            } catch {
                lastError = error
                if attempt < attempts { try await Task.sleep(for: .seconds(1)) }
            }
        }
        throw RedisError("Redis is not reachable after \(attempts) attempts (\(lastError.map { "\($0)" } ?? "unknown"))")
    }

    private func checkout() throws -> RedisConnection {
        if let connection = idle.withLockedValue({ $0.popLast() }) { return connection }
        let connection = try RedisConnection(host: url.host, port: url.port)
        for command in url.handshake {
            if case .error(let message) = try connection.command(command) { throw RedisError(message) }
        }
        return connection
    }

    private func checkin(_ connection: RedisConnection) {
        idle.withLockedValue { pool in
            if pool.count < maxIdle { pool.append(connection) }
        }
    }
}

extension RedisConnection: @unchecked Sendable {}

extension RedisURL {
    /// What a new connection sends first: AUTH with the URL's password, SELECT of its database.
    var handshake: [[[UInt8]]] {
        var commands: [[[UInt8]]] = []
        if let password { commands.append([Array("AUTH".utf8), Array(password.utf8)]) }
        if database != 0 { commands.append([Array("SELECT".utf8), Array(String(database).utf8)]) }
        return commands
    }
}
