/// Opens once, when a process's schema is in place: background work that queries tables
/// (timers, sweeps) starts with the database pool, before the migrations run, and waits here
/// instead of failing its first rounds on a fresh database.
public actor StartupGate {
    private var isOpen = false
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    public init(open: Bool = false) { isOpen = open }

    public func open() {
        guard !isOpen else { return }
        isOpen = true
        for waiter in waiters.values { waiter.resume() }
        waiters = [:]
    }

    /// Returns when the gate is open (at once if it already is), or when the task is cancelled
    /// (a shutdown before start-up finished must not hang on it).
    public func wait() async {
        if isOpen || Task.isCancelled { return }
        let id = nextWaiter
        nextWaiter += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if isOpen || Task.isCancelled { continuation.resume() } else { waiters[id] = continuation }
            }
        } onCancel: {
            Task { await self.release(id) }
        }
    }

    private func release(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
