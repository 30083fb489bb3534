import AgentIMCore
import Foundation

/// The bus inside one process, for the single-process hub without Redis. Same semantics
/// as `RedisBus`: ordered entries, consumer groups with a pending list, acknowledgement
/// and claiming of entries left idle by a dead consumer.
public actor InMemoryBus: Bus {
    struct Stored {
        var number: Int
        var entry: BusEntry
    }

    struct Pending {
        var consumer: String
        var deliveredAt: ContinuousClock.Instant
        var stored: Stored
    }

    struct Group {
        var lastDelivered = 0
        var pending: [Int: Pending] = [:]
    }

    struct Stream {
        var entries: [Stored] = []
        var groups: [String: Group] = [:]
    }

    /// A blocked read: woken by the next append to its stream, or by the sweep at its deadline.
    struct Waiter {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, Never>
    }

    private var streams: [String: Stream] = [:]
    private var counter = 0
    private var waiters: [String: [UUID: Waiter]] = [:]
    /// One timer for every blocked read, set to the earliest deadline. A timer of each read's own
    /// (a task and a dispatch timer made and cancelled per read) cost every consumer one of each
    /// per message under light load, when each read blocks and the next append wakes it.
    private var sweep: (id: Int, until: ContinuousClock.Instant, task: Task<Void, Never>)?
    private var sweeps = 0

    public init() {}

    public func append(_ stream: String, _ payload: Data, maxLength: Int) async throws -> String {
        counter += 1
        let id = "\(counter)-0"
        // In place (a copy taken out of the dictionary would copy every entry on each append), and
        // trimmed in steps of a tenth, like Redis's `MAXLEN ~`, not by one O(n) shift per append.
        streams[stream, default: Stream()].entries.append(Stored(number: counter, entry: BusEntry(id: id, payload: payload, traceparent: Traces.currentTraceparent())))
        if let count = streams[stream]?.entries.count, count > maxLength + maxLength / 10 {
            streams[stream]?.entries.removeFirst(count - maxLength)
        }
        if let waiting = waiters.removeValue(forKey: stream) {
            for waiter in waiting.values { waiter.continuation.resume() }
        }
        return id
    }

    /// All in one turn of the actor: followers wake once for the lot.
    public func append(_ stream: String, contentsOf payloads: [Data], maxLength: Int) async throws -> [String] {
        var ids: [String] = []
        for payload in payloads { ids.append(try await append(stream, payload, maxLength: maxLength)) }
        return ids
    }

    public func lastID(_ stream: String) async throws -> String {
        streams[stream]?.entries.last?.entry.id ?? "0-0"
    }

    public func read(_ stream: String, after id: String, count: Int, block: Duration) async throws -> [BusEntry] {
        let start = Self.number(of: id)
        let deadline = ContinuousClock.now + block
        while true {
            if let entries = streams[stream]?.entries {
                let from = Self.firstIndex(in: entries, after: start)
                let found = entries[from..<min(from + count, entries.endIndex)]
                if !found.isEmpty { return found.map(\.entry) }
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return [] }
            await waitForAppend(stream, until: deadline)
        }
    }

    public func createGroup(_ stream: String, group: String) async throws {
        var state = streams[stream] ?? Stream()
        if state.groups[group] == nil { state.groups[group] = Group() }
        streams[stream] = state
    }

    public func readGroup(_ stream: String, group: String, consumer: String, count: Int, block: Duration) async throws -> [BusEntry] {
        let deadline = ContinuousClock.now + block
        while true {
            guard let lastDelivered = streams[stream]?.groups[group]?.lastDelivered else {
                throw BusError("NOGROUP no such consumer group \(group) for stream \(stream)")
            }
            // Read and changed in place: a copy of the stream or group taken out of the dictionary
            // and written back copied its whole pending list on every read (a tenth of the hub's
            // time at 5,000 messages/s, with thousands of entries pending).
            let fresh: [Stored] = streams[stream].map { state in
                let from = Self.firstIndex(in: state.entries, after: lastDelivered)
                return Array(state.entries[from..<min(from + count, state.entries.endIndex)])
            } ?? []
            if let last = fresh.last {
                let now = ContinuousClock.now
                for stored in fresh {
                    streams[stream]?.groups[group]?.pending[stored.number] = Pending(consumer: consumer, deliveredAt: now, stored: stored)
                }
                streams[stream]?.groups[group]?.lastDelivered = last.number
                return fresh.map(\.entry)
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return [] }
            await waitForAppend(stream, until: deadline)
        }
    }

    public func ack(_ stream: String, group: String, ids: [String]) async throws {
        for id in ids { streams[stream]?.groups[group]?.pending.removeValue(forKey: Self.number(of: id)) }
    }

    public func claimStale(_ stream: String, group: String, consumer: String, minIdle: Duration, count: Int) async throws -> [BusEntry] {
        let now = ContinuousClock.now
        let stale = (streams[stream]?.groups[group]?.pending.values ?? [:].values)
            .filter { now - $0.deliveredAt >= minIdle }
            .sorted { $0.stored.number < $1.stored.number }
            .prefix(count)
        for item in stale {
            streams[stream]?.groups[group]?.pending[item.stored.number] = Pending(consumer: consumer, deliveredAt: now, stored: item.stored)
        }
        return stale.map(\.stored.entry)
    }

    public func backlog(_ stream: String, group: String) async throws -> Int {
        guard let state = streams[stream], let consumers = state.groups[group] else { return 0 }
        let unread = state.entries.endIndex - Self.firstIndex(in: state.entries, after: consumers.lastDelivered)
        return unread + consumers.pending.count
    }

    /// Pending entries of a group (for tests and metrics).
    public func pendingCount(_ stream: String, group: String) -> Int {
        streams[stream]?.groups[group]?.pending.count ?? 0
    }

    private func waitForAppend(_ stream: String, until deadline: ContinuousClock.Instant) async {
        let token = UUID()
        // Cancellation ends the wait too: a consumer stopping for a graceful shutdown must not
        // sit out the rest of its block.
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[stream, default: [:]][token] = Waiter(deadline: deadline, continuation: continuation)
                sweep(by: deadline)
            }
        } onCancel: {
            Task { await self.wake(stream, token) }
        }
    }

    private func wake(_ stream: String, _ token: UUID) {
        waiters[stream]?.removeValue(forKey: token)?.continuation.resume()
    }

    /// Makes sure the sweep runs by `deadline`. Reads block for the same time as a rule, so a new
    /// deadline is seldom earlier than the timer already set, and the timer fires about once per
    /// block however many reads came and went meanwhile.
    private func sweep(by deadline: ContinuousClock.Instant) {
        if let sweep, sweep.until <= deadline { return }
        sweep?.task.cancel()
        sweeps += 1
        let id = sweeps
        sweep = (id, deadline, Task { [weak self] in
            guard (try? await LoopSleep.until(deadline)) != nil else { return }
            await self?.sweepExpired(id)
        })
    }

    /// Wakes the reads whose deadline passed, and sets the timer for the earliest of the others.
    private func sweepExpired(_ id: Int) {
        guard sweep?.id == id else { return }  // replaced by an earlier timer meanwhile
        sweep = nil
        let now = ContinuousClock.now
        var earliest: ContinuousClock.Instant?
        for (stream, waiting) in waiters {
            for (token, waiter) in waiting {
                if waiter.deadline <= now {
                    wake(stream, token)
                } else if earliest.map({ waiter.deadline < $0 }) ?? true {
                    earliest = waiter.deadline
                }
            }
            if waiters[stream]?.isEmpty == true { waiters[stream] = nil }
        }
        if let earliest { sweep(by: earliest) }
    }

    /// Index of the first entry numbered above `number` (entries are in ascending order).
    static func firstIndex(in entries: [Stored], after number: Int) -> Int {
        var low = entries.startIndex, high = entries.endIndex
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].number > number { high = middle } else { low = middle + 1 }
        }
        return low
    }

    static func number(of id: String) -> Int {
        Int(id.split(separator: "-").first ?? "0") ?? 0
    }
}

public struct BusError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
