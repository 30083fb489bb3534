import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import ServiceLifecycle
import Synchronization

/// How many chat sends wait for the rooms service, sampled every 200 ms while sends come in or
/// some wait. Past `ROOMS_BACKLOG_MAX` the edge refuses new sends with `RATE_LIMITED` (issue 20:
/// offered twice what it could store, the hub queued everything, and senders waited ever longer
/// for their acknowledgements, or had sends trimmed from the stream unread, without a word). A
/// refused send is not stored and the sender is told at once; what was taken before is stored as
/// always. With none waiting and no send since the last sample, the sampler rests until the next
/// send: an idle edge asked the bus five times a second for nothing.
final class RoomsBacklog: Sendable {
    let runtime: Runtime
    private let waiting = Atomic<Int>(0)
    private let rest = Mutex(Rest())
    static let interval: Duration = .milliseconds(200)

    /// Whether a send came since the last sample, and the resting sampler's wake-up.
    private struct Rest {
        var sent = false
        var sampler: CheckedContinuation<Void, Never>?
    }

    init(runtime: Runtime) {
        self.runtime = runtime
    }

    var isFull: Bool { waiting.load(ordering: .relaxed) > runtime.config.roomsBacklogMax }

    /// A send was taken: a resting sampler samples again at once.
    func noteSend() {
        rest.withLock { rest in
            rest.sent = true
            rest.sampler.take()?.resume()
        }
    }

    /// Reads the backlog once. A bus that does not answer counts as empty: the send's own
    /// append then fails and says so.
    func sample() async {
        let count = (try? await runtime.bus.backlog(BusStream.roomsCommands, group: BusGroup.rooms)) ?? 0
        waiting.store(count, ordering: .relaxed)
    }

    /// Returns at the next send (or at once if one came since the last sample), or when the task is
    /// cancelled.
    func restUntilSend() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = rest.withLock { rest in
                    if rest.sent || Task.isCancelled { return true }
                    rest.sampler = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            rest.withLock { $0.sampler.take() }?.resume()
        }
    }

    /// Whether a send came since the last call.
    private func takeSent() -> Bool {
        rest.withLock { rest in
            defer { rest.sent = false }
            return rest.sent
        }
    }

    var service: some Service { Sampler(backlog: self) }

    struct Sampler: Service, CustomStringConvertible {
        let backlog: RoomsBacklog
        var description: String { "RoomsBacklog.Sampler" }

        /// Ends at once on a graceful shutdown, even inside a read of a bus that froze.
        func run() async throws {
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    let sent = backlog.takeSent()
                    await backlog.sample()
                    if !sent, backlog.waiting.load(ordering: .relaxed) == 0 {
                        await backlog.restUntilSend()
                    } else {
                        try await LoopSleep.for(RoomsBacklog.interval)
                    }
                }
            }
        }
    }
}
