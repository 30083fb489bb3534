import AgentIMCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// Redis for async code: a small pool of hiredis connections whose blocking calls run on
/// a private thread pool, never on an event loop. Blocking reads (`XREAD BLOCK`) get a
/// connection of their own for their duration, so they never starve ordinary commands.
public final class RedisClient: Sendable {
    private let url: RedisURL
    private let threads: NIOThreadPool
    private let idle = NIOLockedValueBox<[RedisConnection]>([])
    private let maxIdle: Int

    public init(url: RedisURL, threads: Int = 16, maxIdle: Int = 8) {
        self.url = url
        self.threads = NIOThreadPool(numberOfThreads: threads)
        self.threads.start()
        self.maxIdle = maxIdle
    }

    public convenience init(_ raw: String) throws {
        guard let url = RedisURL(raw) else { throw RedisError("invalid REDIS_URL") }
        self.init(url: url)
    }

    public func shutdown() async {
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

    @discardableResult
    public func sendBytes(_ arguments: [[UInt8]], readTimeoutSeconds: Int? = nil) async throws -> RedisValue {
        let reply = try await threads.runIfActive { [self] in
            let connection = try checkout()
            if let readTimeoutSeconds { connection.setTimeout(seconds: readTimeoutSeconds) }
            do {
                let reply = try connection.command(arguments)
                if readTimeoutSeconds != nil { connection.setTimeout(seconds: 5) }
                checkin(connection)
                return reply
            } catch {
                // A failed connection is dropped; the next call opens a fresh one.
                if !connection.isBroken { checkin(connection) }
                throw error
            }
        }
        if case .error(let message) = reply { throw RedisError(message) }
        return reply
    }

    /// Runs several commands on one connection in one round trip; the replies come back in
    /// order, an `error` reply in its place (not thrown).
    public func pipeline(_ commands: [[[UInt8]]]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try await threads.runIfActive { [self] in
            let connection = try checkout()
            do {
                let replies = try connection.pipeline(commands)
                checkin(connection)
                return replies
            } catch {
                if !connection.isBroken { checkin(connection) }
                throw error
            }
        }
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
        if let password = url.password {
            let reply = try connection.command(["AUTH", password])
            if case .error(let message) = reply { throw RedisError(message) }
        }
        if url.database != 0 {
            let reply = try connection.command(["SELECT", String(url.database)])
            if case .error(let message) = reply { throw RedisError(message) }
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
