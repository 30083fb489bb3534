import AgentIMCore
import NIOCore

/// Redis for async code. Ordinary commands are pipelined on one NIO connection per event loop
/// (`PipelinedRedis`). Blocking reads (`XREAD BLOCK`, given a read timeout) each take a NIO
/// connection of their own for their duration (`BlockingReads`), so they never hold up the rest.
public final class RedisClient: Sendable {
    private let pipelined: PipelinedRedis
    private let blocking: BlockingReads

    /// `maxIdle`: connections kept open for the next blocking read. 16 covers the readers a
    /// process runs at once (each follower and worker one), so none is closed to be opened again
    /// (keeping 8 for 16 readers, one 10 s overload run of bench/fanout.py opened 4,055
    /// connections, each a connect and a SELECT).
    public init(url: RedisURL, maxIdle: Int = 16) {
        let pipelined = PipelinedRedis(url: url)
        self.pipelined = pipelined
        self.blocking = BlockingReads(url: url, maxIdle: maxIdle) { id in
            try await pipelined.send([Array("CLIENT".utf8), Array("UNBLOCK".utf8), Array(String(id).utf8)]) == .integer(1)
        }
    }

    public convenience init(_ raw: String) throws {
        guard let url = RedisURL(raw) else { throw RedisError("invalid REDIS_URL") }
        self.init(url: url)
    }

    public func shutdown() async {
        await pipelined.shutdown()
        await blocking.shutdown()
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
            try await blocking.send([arguments], timeout: .seconds(Int64(readTimeoutSeconds)))[0]
        } else {
            try await pipelined.send(arguments)
        }
        if case .error(let message) = reply { throw RedisError(message) }
        return reply
    }

    /// Commands ending in a blocking read, written together on the read's own connection; the
    /// replies in order, an `error` reply in its place (not thrown).
    public func blockingPipeline(_ commands: [[[UInt8]]], readTimeoutSeconds: Int) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try await blocking.send(commands, timeout: .seconds(Int64(readTimeoutSeconds)))
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
                if attempt < attempts { try await LoopSleep.for(.seconds(1)) }
            }
        }
        throw RedisError("Redis is not reachable after \(attempts) attempts (\(lastError.map { "\($0)" } ?? "unknown"))")
    }
}

extension RedisURL {
    /// What a new connection sends first: AUTH with the URL's password, SELECT of its database.
    var handshake: [[[UInt8]]] {
        var commands: [[[UInt8]]] = []
        if let password { commands.append([Array("AUTH".utf8), Array(password.utf8)]) }
        if database != 0 { commands.append([Array("SELECT".utf8), Array(String(database).utf8)]) }
        return commands
    }
}
