import AgentIMCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Reads every entry of a fan-out stream (no group), from the newest entry at start on,
/// handing each to `handler` in order, or each read's entries at once to a batch handler.
/// Each edge and each process that caches runs one.
public struct EventFollower: Service, CustomStringConvertible {
    public typealias Handler = @Sendable (BusEntry) async -> Void
    /// A read's entries, in order: an edge writes them to its sockets with one flush per
    /// socket, not one per entry (a burst of agent chunks cost a writev per chunk per socket).
    public typealias BatchHandler = @Sendable ([BusEntry]) async -> Void

    private enum Handling: Sendable {
        case each(Handler)
        case batch(BatchHandler)
    }

    let bus: any Bus
    let stream: String
    private let handling: Handling
    let logger: Logger
    let startID: String?

    public init(bus: any Bus, stream: String, startingAfter startID: String? = nil, logger: Logger, handler: @escaping Handler) {
        self.init(bus: bus, stream: stream, startingAfter: startID, logger: logger, handling: .each(handler))
    }

    /// A follower that hands over each read's entries at once (a static function: as an
    /// initializer, a trailing closure would fit both handler types).
    public static func batched(bus: any Bus, stream: String, startingAfter startID: String? = nil, logger: Logger,
                               handler: @escaping BatchHandler) -> EventFollower {
        EventFollower(bus: bus, stream: stream, startingAfter: startID, logger: logger, handling: .batch(handler))
    }

    private init(bus: any Bus, stream: String, startingAfter startID: String?, logger: Logger, handling: Handling) {
        self.bus = bus
        self.stream = stream
        self.startID = startID
        self.handling = handling
        self.logger = logger
    }

    /// Entries per read at most. A read's entries are held in several copies at once (Redis's
    /// reply, its values, the entries, the frames rendered from them) until the last is handled,
    /// so a follower behind a blast of 32 KiB agent chunks held 500 × 32 KiB several times over:
    /// the chaos test's slow-reader fault saw the edge grow 60 MB for a 64 MB blast. 100 keeps
    /// small events cheap to follow (at 5,000 events/s, 50 reads a second).
    static let batch = 100
    /// Payload bytes a read asks for, by the largest entry of the read before: with 100 entries of
    /// 32 KiB a read still held about 20 MB in its copies, and the same fault saw the edge grow
    /// 18–35 MB in 3 of 19 runs (a follower that lags reads full batches). Entries of 32 KiB now
    /// come 16 to a read; small events still 100.
    static let readBudget = 512 << 10

    /// How many entries the next read asks for, after a read whose largest payload was `largest` bytes.
    static func count(afterLargest largest: Int) -> Int {
        max(1, min(batch, readBudget / max(largest, 1)))
    }

    /// How the shutdown watchdog names it.
    public var description: String { "EventFollower(\(stream))" }

    public func run() async throws {
        var position: String
        if let startID { position = startID } else { position = try await bus.lastID(stream) }
        let tracked = FollowerPositions.shared.start(stream: stream, at: position)
        defer { FollowerPositions.shared.stop(tracked) }
        await withGracefulShutdownHandler {
            var count = Self.batch
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    // The blocking read ends early on a graceful shutdown; handlers are not cut.
                    let entries = try await cancelWhenGracefulShutdown { [bus, stream, position, count] in
                        try await bus.read(stream, after: position, count: count, block: .seconds(1))
                    }
                    if let largest = entries.lazy.map(\.payload.count).max() { count = Self.count(afterLargest: largest) }
                    switch handling {
                    case .each(let handler):
                        for entry in entries {
                            await Traces.consuming("receive \(stream)", traceparent: entry.traceparent) { await handler(entry) }
                            position = entry.id
                            FollowerPositions.shared.moved(tracked, to: position)
                        }
                    case .batch(let handler):
                        if let last = entries.last {
                            await Traces.consuming("receive \(stream)", traceparents: entries.map(\.traceparent)) { await handler(entries) }
                            position = last.id
                            FollowerPositions.shared.moved(tracked, to: position)
                        }
                    }
                    if entries.isEmpty, let reset = try await streamWasReset(after: position) {
                        logger.warning("stream \(stream) was reset (newest entry \(reset), last seen \(position)); following the new stream from its start")
                        position = "0-0"
                        FollowerPositions.shared.moved(tracked, to: position)
                    }
                } catch {
                    // A read cut short by the shutdown itself is no failure.
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    logger.error("bus read failed on \(stream): \(error)")
                    try? await LoopSleep.for(.milliseconds(500))
                }
            }
        } onGracefulShutdown: {}
    }

    /// After an idle read: the stream's newest id when it is older than `position` (the stream
    /// vanished, as when Redis restarted empty, or was re-created with lower ids), else nil. A
    /// follower reading after an id the new stream will not reach for a while would miss
    /// everything; the new stream holds nothing it delivered, so it restarts from `0-0`.
    private func streamWasReset(after position: String) async throws -> String? {
        guard let seen = StreamID(position), seen > StreamID.zero else { return nil }
        let newest = try await bus.lastID(stream)
        guard let current = StreamID(newest), current < seen else { return nil }
        return newest
    }
}

/// Where each running follower of this process has got to (the last entry it handled), so
/// that the metrics can tell how far behind its stream it is (`agentim_bus_follower_lag_messages`).
public final class FollowerPositions: Sendable {
    public static let shared = FollowerPositions()
    private let state = Mutex<(next: Int, positions: [Int: (stream: String, id: String)])>((0, [:]))

    func start(stream: String, at id: String) -> Int {
        state.withLock { state in
            state.next += 1
            state.positions[state.next] = (stream, id)
            return state.next
        }
    }

    func moved(_ follower: Int, to id: String) {
        state.withLock { $0.positions[follower]?.id = id }
    }

    func stop(_ follower: Int) {
        _ = state.withLock { $0.positions.removeValue(forKey: follower) }
    }

    /// Per stream, the position of the follower furthest behind.
    public func slowest() -> [String: String] {
        var result: [String: String] = [:]
        for (stream, id) in state.withLock({ Array($0.positions.values) }) {
            guard let current = result[stream], let old = StreamID(current), let new = StreamID(id) else {
                if result[stream] == nil { result[stream] = id }
                continue
            }
            if new < old { result[stream] = id }
        }
        return result
    }
}

/// A stream entry id `<milliseconds>-<sequence>`, ordered as Redis orders them.
struct StreamID: Comparable {
    static let zero = StreamID(milliseconds: 0, sequence: 0)
    let milliseconds: UInt64
    let sequence: UInt64

    init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let milliseconds = parts.first.flatMap({ UInt64($0) }) else { return nil }
        self.milliseconds = milliseconds
        if parts.count == 1 { sequence = 0 }
        else if parts.count == 2, let sequence = UInt64(parts[1]) { self.sequence = sequence }
        else { return nil }
    }

    static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }
}
