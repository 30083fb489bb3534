import AgentIMCore
import AgentIMRedis
import Foundation

/// The bus on Redis streams. Each entry carries its payload in the field `d`, and the
/// appending span's W3C trace context in `traceparent` when tracing is on (readers ignore
/// fields they do not know, so old and new processes share a stream).
public struct RedisBus: Bus {
    let redis: RedisClient

    public init(redis: RedisClient) { self.redis = redis }

    public func append(_ stream: String, _ payload: Data, maxLength: Int) async throws -> String {
        let reply = try await redis.sendBytes(Self.xadd(stream, payload, maxLength: maxLength, traceparent: Traces.currentTraceparent()))
        guard let id = reply.string else { throw RedisError("XADD returned no id") }
        return id
    }

    /// The XADDs pipelined on one connection: one round trip for the lot, in order.
    public func append(_ stream: String, contentsOf payloads: [Data], maxLength: Int) async throws -> [String] {
        let traceparent = Traces.currentTraceparent()
        let replies = try await redis.pipeline(payloads.map { Self.xadd(stream, $0, maxLength: maxLength, traceparent: traceparent) })
        return try replies.map { reply in
            if case .error(let message) = reply { throw RedisError(message) }
            guard let id = reply.string else { throw RedisError("XADD returned no id") }
            return id
        }
    }

    static func xadd(_ stream: String, _ payload: Data, maxLength: Int, traceparent: String?) -> [[UInt8]] {
        [Array("XADD".utf8), Array(stream.utf8)] + entryArguments(payload, maxLength: maxLength, traceparent: traceparent)
    }

    /// XADD's arguments after the stream key for one entry, for a script that appends it itself.
    public static func entryArguments(_ payload: Data, maxLength: Int = busStreamMaxLength,
                                      traceparent: String? = Traces.currentTraceparent()) -> [[UInt8]] {
        var arguments: [[UInt8]] = [
            Array("MAXLEN".utf8), Array("~".utf8), Array(String(maxLength).utf8), Array("*".utf8), Array("d".utf8), Array(payload),
        ]
        if let traceparent {
            arguments.append(Array("traceparent".utf8))
            arguments.append(Array(traceparent.utf8))
        }
        return arguments
    }

    public func lastID(_ stream: String) async throws -> String {
        let reply = try await redis.send("XREVRANGE", stream, "+", "-", "COUNT", "1")
        guard let first = reply.array?.first, let id = first.array?.first?.string else { return "0-0" }
        return id
    }

    public func read(_ stream: String, after id: String, count: Int, block: Duration) async throws -> [BusEntry] {
        let reply = try await redis.sendBytes(
            ["XREAD", "COUNT", String(count), "BLOCK", String(max(block.milliseconds, 1)), "STREAMS", stream, id].map { Array($0.utf8) },
            readTimeoutSeconds: block.milliseconds / 1000 + 5)
        return Self.entries(fromStreams: reply)
    }

    public func backlog(_ stream: String, group: String) async throws -> Int {
        let reply: RedisValue
        do {
            reply = try await redis.send("XINFO", "GROUPS", stream)
        } catch let error as RedisError where error.message.contains("no such key") {
            return 0  // no stream yet: nothing waits
        }
        for fields in reply.array?.compactMap(\.array) ?? [] {
            var info: [String: RedisValue] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                if let name = fields[index].string { info[name] = fields[index + 1] }
            }
            guard info["name"]?.string == group else { continue }
            // `lag` is nil when Redis cannot tell (entries deleted in between): the pending ones then.
            return (info["pending"]?.int ?? 0) + (info["lag"]?.int ?? 0)
        }
        return 0
    }

    public func createGroup(_ stream: String, group: String) async throws {
        do {
            try await redis.send("XGROUP", "CREATE", stream, group, "0", "MKSTREAM")
        } catch let error as RedisError where error.message.hasPrefix("BUSYGROUP") {
            // Another replica created it first.
        }
    }

    public func readGroup(_ stream: String, group: String, consumer: String, count: Int, block: Duration) async throws -> [BusEntry] {
        try await readGroup(stream, group: group, consumer: consumer, count: count, block: block, acknowledging: [])
    }

    /// XACK and XREADGROUP written together on the read's connection: Redis acknowledges, then
    /// blocks. The consumer's round trip per read cycle was two (the ack, then the read), one
    /// message each at light load.
    public func readGroup(_ stream: String, group: String, consumer: String, count: Int, block: Duration,
                          acknowledging done: [String]) async throws -> [BusEntry] {
        var commands: [[[UInt8]]] = []
        if !done.isEmpty { commands.append((["XACK", stream, group] + done).map { Array($0.utf8) }) }
        commands.append(["XREADGROUP", "GROUP", group, consumer, "COUNT", String(count), "BLOCK", String(max(block.milliseconds, 1)),
                         "STREAMS", stream, ">"].map { Array($0.utf8) })
        let replies = try await redis.blockingPipeline(commands, readTimeoutSeconds: block.milliseconds / 1000 + 5)
        // The read's own error first: a missing group is told by it (XACK answers 0 there).
        for case .error(let message) in replies.reversed() { throw RedisError(message) }
        return Self.entries(fromStreams: replies[replies.count - 1])
    }

    public func ack(_ stream: String, group: String, ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await redis.send(["XACK", stream, group] + ids)
    }

    public func claimStale(_ stream: String, group: String, consumer: String, minIdle: Duration, count: Int) async throws -> [BusEntry] {
        let reply = try await redis.send("XAUTOCLAIM", stream, group, consumer, String(minIdle.milliseconds), "0-0", "COUNT", String(count))
        guard let parts = reply.array, parts.count >= 2, let list = parts[1].array else { return [] }
        return list.compactMap(Self.entry)
    }

    /// Whether a group command failed because the stream or its group no longer exists: `NOGROUP`
    /// (Redis restarted empty, or the key was deleted) or `UNBLOCKED` (the key vanished while an
    /// XREADGROUP was blocked on it).
    public static func isMissingGroup(_ error: any Error) -> Bool {
        let message: String
        if let error = error as? RedisError { message = error.message }
        else if let error = error as? BusError { message = error.message }
        else { return false }
        return message.hasPrefix("NOGROUP") || message.hasPrefix("UNBLOCKED")
    }

    /// XREAD/XREADGROUP reply: `[[stream, [[id, [field, value, …]], …]]]` or null on timeout.
    static func entries(fromStreams reply: RedisValue) -> [BusEntry] {
        guard let streams = reply.array else { return [] }
        var result: [BusEntry] = []
        for stream in streams {
            guard let parts = stream.array, parts.count == 2, let list = parts[1].array else { continue }
            result.append(contentsOf: list.compactMap(entry))
        }
        return result
    }

    static func entry(_ value: RedisValue) -> BusEntry? {
        guard let parts = value.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array else { return nil }
        var payload: Data?
        var traceparent: String?
        var index = 0
        while index + 1 < fields.count {
            switch fields[index].string {
            case "d": if case .bulk(let bytes) = fields[index + 1] { payload = Data(bytes) }
            case "traceparent": traceparent = fields[index + 1].string
            default: break
            }
            index += 2
        }
        return payload.map { BusEntry(id: id, payload: $0, traceparent: traceparent) }
    }
}
