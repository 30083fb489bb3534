import Foundation

/// Service-agent calls running in this process, by request id. A call runs outside the
/// command worker, which acknowledges it at once: a provider may take minutes (status
/// polling), and the worker's reclaim would otherwise hand the same paid call to a second
/// router. The price: a call in flight when its process dies is lost, not repeated.
actor ServiceAgentJobs {
    /// The original's bound on tasks polled at once.
    static let limit = 100

    private var running: [String: Task<Void, Never>] = [:]

    enum Start { case started, duplicate, full }

    /// Runs `work` unless the same request already runs here or the limit is reached.
    func start(_ requestId: String, _ work: @escaping @Sendable () async -> Void) -> Start {
        if running[requestId] != nil { return .duplicate }
        guard running.count < Self.limit else { return .full }
        running[requestId] = Task {
            await work()
            self.finish(requestId)
        }
        return .started
    }

    private func finish(_ requestId: String) {
        running[requestId] = nil
    }

    var count: Int { running.count }
}
