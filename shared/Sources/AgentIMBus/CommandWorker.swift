import AgentIMCore
import Foundation
import Logging
import ServiceLifecycle

/// Consumes a command stream as one member of a consumer group: claims what a dead
/// consumer left pending, reads new entries, runs the handler and acknowledges only after
/// the handler returned (its effect is durable). A handler that throws leaves the entry
/// pending, to be retried after `retryAfter`. Handlers must be idempotent.
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
    let lanes: LaneHandler?
    let logger: Logger

    public init(bus: any Bus, stream: String, group: String, consumer: String,
                retryAfter: Duration = .seconds(30), logger: Logger,
                partition: @escaping Partition = { _ in "" }, lanes: LaneHandler? = nil, handler: @escaping Handler) {
        self.bus = bus
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.retryAfter = retryAfter
        self.handler = handler
        self.partition = partition
        self.lanes = lanes
        self.logger = logger
    }

    /// How the shutdown watchdog names it.
    public var description: String { "CommandWorker(\(stream), group \(group))" }

    public func run() async throws {
        try await bus.createGroup(stream, group: group)
        var lastClaim = ContinuousClock.now - retryAfter
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    if ContinuousClock.now - lastClaim >= retryAfter / 2 {
                        lastClaim = ContinuousClock.now
                        let stale = try await bus.claimStale(stream, group: group, consumer: consumer, minIdle: retryAfter, count: 100)
                        await handle(stale)
                    }
                    // Only the blocking read ends early on a graceful shutdown (a handler finishes
                    // and acknowledges), so a stopping process does not wait out its block.
                    let fresh = try await cancelWhenGracefulShutdown { [bus, stream, group, consumer] in
                        try await bus.readGroup(stream, group: group, consumer: consumer, count: 100, block: .seconds(1))
                    }
                    await handle(fresh)
                } catch where RedisBus.isMissingGroup(error) {
                    // Redis restarted empty (or the stream was deleted): Redis is not the system of
                    // record, so the group is re-created, from `0` so that commands appended since
                    // the reset are not skipped (nothing older survived), and the loop goes on.
                    logger.warning("consumer group \(group) on \(stream) is gone (\(error)); re-creating it")
                    do {
                        try await bus.createGroup(stream, group: group)
                    } catch {
                        logger.error("re-creating consumer group \(group) on \(stream) failed: \(error)")
                        try? await Task.sleep(for: .milliseconds(500))
                    }
                } catch {
                    logger.error("bus read failed on \(stream): \(error)")
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        } onGracefulShutdown: {}
    }

    private func handle(_ entries: [BusEntry]) async {
        var lanes: [String: [BusEntry]] = [:]
        var order: [String] = []
        for entry in entries {
            let key = partition(entry)
            if lanes[key] == nil { order.append(key) }
            lanes[key, default: []].append(entry)
        }
        await withTaskGroup(of: Void.self) { group in
            for key in order {
                let lane = lanes[key]!
                group.addTask {
                    if let laneHandler = self.lanes {
                        let done = await Traces.consuming("process \(stream)", traceparent: lane.first?.traceparent) {
                            let done = await laneHandler(lane)
                            logger.debug("\(done.count) of \(lane.count) commands on \(stream) handled")
                            return done
                        }
                        do {
                            try await bus.ack(stream, group: self.group, ids: done)
                        } catch {
                            logger.error("acknowledging \(done.count) commands on \(stream) failed, left pending for retry: \(error)")
                        }
                        return
                    }
                    for entry in lane {
                        do {
                            try await Traces.consuming("process \(stream)", traceparent: entry.traceparent) {
                                try await handler(entry)
                                // Inside the span: with tracing on, the line carries the trace id.
                                logger.debug("command \(entry.id) on \(stream) handled")
                            }
                            try await bus.ack(stream, group: self.group, ids: [entry.id])
                        } catch {
                            logger.error("command \(entry.id) on \(stream) failed, left pending for retry: \(error)")
                        }
                    }
                }
            }
        }
    }
}
