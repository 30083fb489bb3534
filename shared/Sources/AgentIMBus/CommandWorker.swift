import AgentIMCore
import Foundation
import Logging
import ServiceLifecycle

/// Consumes a command stream as one member of a consumer group: claims what a dead
/// consumer left pending, reads new entries, runs the handler and acknowledges only after
/// the handler returned (its effect is durable), together with its next read. A handler that
/// throws leaves the entry pending, to be retried after `retryAfter`. Handlers must be idempotent.
///
/// Entries with the same `partition` key (a room) are handled one after another in stream
/// order; different keys run concurrently, so one slow room does not hold up the others and
/// commits overlap instead of queueing behind each other's fsync.
public struct CommandWorker: Service, CustomStringConvertible {
    public typealias Handler = @Sendable (BusEntry) async throws -> Void
    public typealias Partition = @Sendable (BusEntry) -> String
    /// Handles one partition's entries of a read together, in order; returns the ids that are
    /// done (acknowledged in one call). The rest stay pending, to come back through `handler`.
    public typealias LaneHandler = @Sendable ([BusEntry]) async -> [String]

    let bus: any Bus
    let stream: String
    let group: String
    let consumer: String
    let retryAfter: Duration
    let handler: Handler
    let partition: Partition
    /// Splits a read into lanes, each with the work that handles it and returns the ids done;
    /// nil: entries are handled one by one through `handler`, lane by lane.
    let split: (@Sendable ([BusEntry]) -> [Lane])?
    let logger: Logger
    /// Told of each command whose handler threw (after it was logged): the process's error
    /// reporting, which would otherwise never hear of a failure off the request path.
    public typealias FailureReport = @Sendable (_ stream: String, _ entryId: String, _ error: any Error) -> Void
    private(set) var failed: FailureReport?

    /// The same worker, telling `report` of each command that failed.
    public func reportingFailures(to report: @escaping FailureReport) -> CommandWorker {
        var worker = self
        worker.failed = report
        return worker
    }

    /// One partition's entries of a read and the work that handles them together.
    @usableFromInline struct Lane: Sendable {
        var entries: [BusEntry]
        var run: @Sendable () async -> [String]

        @usableFromInline init(entries: [BusEntry], run: @escaping @Sendable () async -> [String]) {
            self.entries = entries
            self.run = run
        }
    }

    public init(bus: any Bus, stream: String, group: String, consumer: String,
                retryAfter: Duration = .seconds(30), logger: Logger,
                partition: @escaping Partition = { _ in "" }, lanes: LaneHandler? = nil, handler: @escaping Handler) {
        var split: (@Sendable ([BusEntry]) -> [Lane])?
        if let lanes {
            split = { entries in Self.lanes(of: entries, key: partition).map { lane in Lane(entries: lane, run: { await lanes(lane) }) } }
        }
        self.init(bus: bus, stream: stream, group: group, consumer: consumer, retryAfter: retryAfter, logger: logger, handler: handler,
                  partition: partition, split: split)
    }

    /// Like the lane form above, with each entry decoded once: the key and the lane handler
    /// both get the decoded command (nil when it did not decode), so neither parses it again.
    /// Inlinable, so that the split is compiled for the caller's `Command`: left generic, every
    /// read paid for runtime type lookups and a key path instantiated per lane (about 5% of the
    /// rooms process's CPU under fan-out load).
    @inlinable
    public init<Command: Sendable>(bus: any Bus, stream: String, group: String, consumer: String,
                                   retryAfter: Duration = .seconds(30), logger: Logger,
                                   decode: @escaping @Sendable (BusEntry) -> Command?,
                                   partition: @escaping @Sendable (Command?) -> String,
                                   lanes: @escaping @Sendable ([(entry: BusEntry, command: Command?)]) async -> [String],
                                   handler: @escaping Handler) {
        self.init(bus: bus, stream: stream, group: group, consumer: consumer, retryAfter: retryAfter, logger: logger, handler: handler,
                  partition: { partition(decode($0)) },
                  split: { entries in
                      let decoded = entries.map { (entry: $0, command: decode($0)) }
                      return Self.lanes(of: decoded, key: { partition($0.command) }).map { lane in
                          Lane(entries: lane.map { $0.entry }, run: { await lanes(lane) })
                      }
                  })
    }

    @usableFromInline
    init(bus: any Bus, stream: String, group: String, consumer: String, retryAfter: Duration, logger: Logger, handler: @escaping Handler,
         partition: @escaping Partition, split: (@Sendable ([BusEntry]) -> [Lane])?) {
        self.bus = bus
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.retryAfter = retryAfter
        self.handler = handler
        self.partition = partition
        self.split = split
        self.logger = logger
    }

    /// Entries grouped by key, groups in order of first appearance, entries in stream order.
    /// Inlinable, as the decoded form's split that calls it.
    @inlinable
    static func lanes<Item>(of entries: [Item], key: (Item) -> String) -> [[Item]] {
        var byKey: [String: Int] = [:]
        var grouped: [[Item]] = []
        for entry in entries {
            let k = key(entry)
            if let index = byKey[k] { grouped[index].append(entry) } else { byKey[k] = grouped.count; grouped.append([entry]) }
        }
        return grouped
    }

    /// How the shutdown watchdog names it.
    public var description: String { "CommandWorker(\(stream), group \(group))" }

    public func run() async throws {
        try await bus.createGroup(stream, group: group)
        var lastClaim = ContinuousClock.now - retryAfter
        // Handled, not yet acknowledged: they go with the next read (one round trip for both).
        // Kept when that read fails, since its acknowledgement may not have happened; acknowledging
        // twice is harmless.
        var done: [String] = []
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    if ContinuousClock.now - lastClaim >= retryAfter / 2 {
                        lastClaim = ContinuousClock.now
                        let stale = try await bus.claimStale(stream, group: group, consumer: consumer, minIdle: retryAfter, count: 100)
                        done += await handle(stale)
                    }
                    // Only the blocking read ends early on a graceful shutdown (a handler finishes
                    // and its acknowledgement is sent after the loop), so a stopping process does
                    // not wait out its block.
                    let acknowledging = done
                    let fresh = try await cancelWhenGracefulShutdown { [bus, stream, group, consumer] in
                        try await bus.readGroup(stream, group: group, consumer: consumer, count: 100, block: .seconds(1),
                                                acknowledging: acknowledging)
                    }
                    done = await handle(fresh)
                } catch where RedisBus.isMissingGroup(error) {
                    // Redis restarted empty (or the stream was deleted): Redis is not the system of
                    // record, so the group is re-created, from `0` so that commands appended since
                    // the reset are not skipped (nothing older survived), and the loop goes on.
                    // What was to be acknowledged is gone with the group.
                    done = []
                    logger.warning("consumer group \(group) on \(stream) is gone (\(error)); re-creating it")
                    do {
                        try await bus.createGroup(stream, group: group)
                    } catch {
                        logger.error("re-creating consumer group \(group) on \(stream) failed: \(error)")
                        try? await LoopSleep.for(.milliseconds(500))
                    }
                } catch {
                    // A read cut short by the shutdown itself is no failure.
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    logger.error("bus read failed on \(stream): \(error)")
                    try? await LoopSleep.for(.milliseconds(500))
                }
            }
        } onGracefulShutdown: {}
        guard !done.isEmpty else { return }
        do {
            try await bus.ack(stream, group: group, ids: done)
        } catch {
            logger.error("acknowledging \(done.count) commands on \(stream) failed, left pending for retry: \(error)")
        }
    }

    /// Runs the handlers; returns the ids of the entries they handled, for acknowledging.
    private func handle(_ entries: [BusEntry]) async -> [String] {
        guard !entries.isEmpty else { return [] }
        if let split {
            return await withTaskGroup(of: [String].self) { group in
                for lane in split(entries) {
                    group.addTask {
                        await Traces.consuming("process \(stream)", traceparent: lane.entries.first?.traceparent) {
                            let done = await lane.run()
                            logger.debug("\(done.count) of \(lane.entries.count) commands on \(stream) handled")
                            return done
                        }
                    }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
        }
        return await withTaskGroup(of: [String].self) { group in
            for lane in Self.lanes(of: entries, key: partition) {
                group.addTask {
                    var done: [String] = []
                    for entry in lane {
                        do {
                            try await Traces.consuming("process \(stream)", traceparent: entry.traceparent) {
                                try await handler(entry)
                                // Inside the span: with tracing on, the line carries the trace id.
                                logger.debug("command \(entry.id) on \(stream) handled")
                            }
                            done.append(entry.id)
                        } catch {
                            logger.error("command \(entry.id) on \(stream) failed, left pending for retry: \(error)")
                            failed?(stream, entry.id, error)
                        }
                    }
                    return done
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }
}
