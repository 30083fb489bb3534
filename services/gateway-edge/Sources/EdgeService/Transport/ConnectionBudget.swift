import Glibc
import Logging
import NIOCore
import Synchronization

/// How many client connections the listener holds at once: the process's file limit (raised to
/// its hard limit at start, as nginx's `worker_rlimit_nofile` and Go do) less a reserve for what
/// the process itself must still open (database and Redis connections, upstream connections,
/// uploads, the random source). Without it a crowd of connections took every descriptor and the
/// process failed in places that cannot fail gracefully; past the budget a new connection is
/// closed at once, and the connections already open carry on.
final class ConnectionBudget: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let logger = Logger(label: "agentim.edge")

    init(limit: Int) { self.limit = limit }

    /// The budget for this process, after raising its file limit as far as it may go.
    static func fromFileLimit() -> ConnectionBudget {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return ConnectionBudget(limit: Int.max) }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limits = raised }
        }
        let files = Int(clamping: min(limits.rlim_cur, rlim_t(Int32.max)))
        return ConnectionBudget(limit: budget(forFileLimit: files))
    }

    /// A tenth of the descriptors, at least 64 and at most 4,096, stay for the process itself.
    static func budget(forFileLimit files: Int) -> Int {
        let reserve = min(max(files / 10, 64), 4_096)
        return max(files - reserve, 16)
    }

    /// Counts `channel` in until it closes; false (and the channel is to be closed) when the
    /// budget is spent.
    func admit(_ channel: any Channel) -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now <= limit else {
            open.subtract(1, ordering: .relaxed)
            let count = refused.add(1, ordering: .relaxed).newValue
            if count == 1 || count % 1_000 == 0 {
                logger.warning("connection refused: \(limit) connections open (the file limit's budget); \(count) refused so far")
            }
            return false
        }
        channel.closeFuture.whenComplete { [self] _ in open.subtract(1, ordering: .relaxed) }
        return true
    }

    var openConnections: Int { open.load(ordering: .relaxed) }
}
