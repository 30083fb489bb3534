import AgentIMCore
import Foundation

/// One entry read from a stream.
public struct BusEntry: Sendable, Equatable {
    public var id: String
    public var payload: Data
    /// The W3C trace context of the span that appended it, when tracing was on there
    /// (`Traces`); entries from older processes or without tracing have none.
    public var traceparent: String?
    public init(id: String, payload: Data, traceparent: String? = nil) {
        self.id = id
        self.payload = payload
        self.traceparent = traceparent
    }
}

/// The hub's bus: append-only streams with Redis-streams semantics, implemented by
/// `RedisBus` (distributed) and `InMemoryBus` (single process). Higher-level loops
/// (`CommandWorker`, `EventFollower`) are written once against this protocol.
public protocol Bus: Sendable {
    /// Appends an entry; returns its id. Streams are trimmed to about `maxLength` entries.
    @discardableResult
    func append(_ stream: String, _ payload: Data, maxLength: Int) async throws -> String

    /// Appends several entries in order, in one round trip where the bus allows; returns their ids.
    @discardableResult
    func append(_ stream: String, contentsOf payloads: [Data], maxLength: Int) async throws -> [String]

    /// The id of the newest entry, or `0-0` for an empty stream: where a new follower starts.
    func lastID(_ stream: String) async throws -> String

    /// Entries after `id`, waiting up to `block` for the first one (XREAD).
    func read(_ stream: String, after id: String, count: Int, block: Duration) async throws -> [BusEntry]

    /// Creates the consumer group if missing, delivering from the stream's start (XGROUP CREATE … 0 MKSTREAM).
    func createGroup(_ stream: String, group: String) async throws

    /// New entries for one consumer of the group, waiting up to `block` (XREADGROUP … >).
    func readGroup(_ stream: String, group: String, consumer: String, count: Int, block: Duration) async throws -> [BusEntry]

    /// Marks entries as done (XACK).
    func ack(_ stream: String, group: String, ids: [String]) async throws

    /// Marks `done` as done, then reads as `readGroup` does: in one round trip where the bus
    /// allows. A consumer acknowledges what it handled with its next read.
    func readGroup(_ stream: String, group: String, consumer: String, count: Int, block: Duration,
                   acknowledging done: [String]) async throws -> [BusEntry]

    /// Entries of `stream` that `group` has not acknowledged yet, read or not (XINFO GROUPS:
    /// `lag` + `pending`): how far the group's consumers are behind.
    func backlog(_ stream: String, group: String) async throws -> Int

    /// Takes over entries that another consumer read but did not acknowledge for `minIdle` (XAUTOCLAIM).
    func claimStale(_ stream: String, group: String, consumer: String, minIdle: Duration, count: Int) async throws -> [BusEntry]
}

/// About how many entries a stream keeps (MAXLEN ~) unless its writer says otherwise.
public let busStreamMaxLength = 100_000

public extension Bus {
    @discardableResult
    func append(_ stream: String, _ payload: Data) async throws -> String {
        try await append(stream, payload, maxLength: busStreamMaxLength)
    }

    /// The acknowledgement, then the read; buses that can pipeline implement their own.
    func readGroup(_ stream: String, group: String, consumer: String, count: Int, block: Duration,
                   acknowledging done: [String]) async throws -> [BusEntry] {
        try await ack(stream, group: group, ids: done)
        return try await readGroup(stream, group: group, consumer: consumer, count: count, block: block)
    }

    /// One append after the other; buses that can pipeline implement their own.
    @discardableResult
    func append(_ stream: String, contentsOf payloads: [Data], maxLength: Int) async throws -> [String] {
        var ids: [String] = []
        for payload in payloads { ids.append(try await append(stream, payload, maxLength: maxLength)) }
        return ids
    }

    @discardableResult
    func publish<T: Encodable>(_ stream: String, _ value: T) async throws -> String {
        try await append(stream, try JSONCoding.encode(value))
    }

    /// Publishes several values in order, in one round trip where the bus allows.
    @discardableResult
    func publish<T: Encodable>(_ stream: String, contentsOf values: [T]) async throws -> [String] {
        let encoder = JSONCoding.encoder()
        return try await append(stream, contentsOf: try values.map { try encoder.encode($0) }, maxLength: busStreamMaxLength)
    }
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
