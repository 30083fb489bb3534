import AgentIMBus
import Foundation
import Logging
import Synchronization

/// Relayed chunks onto the events stream without a round trip each: a gateway's frames are
/// handled one at a time, and awaiting every chunk's XADD held a distributed hub to one Redis
/// round trip per chunk (about 5,000 chunks/s, bench/chunk-relay.py). Chunks handed over while
/// a write is out go together in the next pipelined one, in the order they came.
///
/// Order against a gateway's other frames: a `message_complete` (or anything else) waits for
/// `flushed()`, so no client sees a reply end before its last chunk. Memory: past `backlog`
/// entries waiting, `append` waits for them too, and the socket stops being read.
final class ChunkAppender: Sendable {
    static let backlog = 1_024

    private struct State {
        var waiting: [Data] = []
        var writing = false
        /// Entries handed over and entries written (or failed), since the start.
        var appended = 0
        var written = 0
        /// Who waits for the entries up to a count to be written.
        var waiters: [(upTo: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let bus: any Bus
    private let stream: String
    private let logger: Logger
    private let state = Mutex(State())

    init(bus: any Bus, stream: String, logger: Logger) {
        self.bus = bus
        self.stream = stream
        self.logger = logger
    }

    func append(_ payload: Data) async {
        let (start, full) = state.withLock { state -> (Bool, Bool) in
            state.waiting.append(payload)
            state.appended += 1
            defer { state.writing = true }
            return (!state.writing, state.waiting.count >= Self.backlog)
        }
        if start { Task { await self.drain() } }
        if full { await flushed() }
    }

    /// Returns once every entry appended before the call is on the stream (or failed and was
    /// logged). Entries appended meanwhile by other sockets do not hold it.
    func flushed() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.written >= state.appended { return true }
                state.waiters.append((state.appended, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Data] in
                let batch = state.waiting
                state.waiting = []
                if batch.isEmpty { state.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                _ = try await bus.append(stream, contentsOf: batch, maxLength: busStreamMaxLength)
            } catch {
                // Chunks are a live view; the reply's message_complete carries the whole text.
                logger.error("\(batch.count) relayed chunks not written to \(stream): \(error)")
            }
            let done = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.written += batch.count
                let written = state.written
                let done = state.waiters.filter { $0.upTo <= written }.map(\.continuation)
                state.waiters.removeAll { $0.upTo <= written }
                return done
            }
            for continuation in done { continuation.resume() }
        }
    }
}
