import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import ServiceLifecycle
import Synchronization

/// How many chat sends wait for the rooms service, sampled every 200 ms. Past
/// `ROOMS_BACKLOG_MAX` the edge refuses new sends with `RATE_LIMITED` (issue 20: offered twice
/// what it could store, the hub queued everything, and senders waited ever longer for their
/// acknowledgements, or had sends trimmed from the stream unread, without a word). A refused send
/// is not stored and the sender is told at once; what was taken before is stored as always.
final class RoomsBacklog: Sendable {
    let runtime: Runtime
    private let waiting = Atomic<Int>(0)
    static let interval: Duration = .milliseconds(200)

    init(runtime: Runtime) {
        self.runtime = runtime
    }

    var isFull: Bool { waiting.load(ordering: .relaxed) > runtime.config.roomsBacklogMax }

    /// Reads the backlog once. A bus that does not answer counts as empty: the send's own
    /// append then fails and says so.
    func sample() async {
        let count = (try? await runtime.bus.backlog(BusStream.roomsCommands, group: BusGroup.rooms)) ?? 0
        waiting.store(count, ordering: .relaxed)
    }

    var service: some Service { Sampler(backlog: self) }

    struct Sampler: Service, CustomStringConvertible {
        let backlog: RoomsBacklog
        var description: String { "RoomsBacklog.Sampler" }

        /// Ends at once on a graceful shutdown, even inside a read of a bus that froze.
        func run() async throws {
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await backlog.sample()
                    try await Task.sleep(for: RoomsBacklog.interval)
                }
            }
        }
    }
}
