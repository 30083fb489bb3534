import ServiceLifecycle

/// A service's background work (command consumers, sweeps, timers) held back until the
/// process's schema is in place (`Runtime.schemaReady`): consumers would otherwise take
/// commands left on the bus, and timers run their rounds, against tables the migrations have
/// not made yet. The database pool and the control follower are not wrapped: they must run first.
struct AfterSchema: Service, CustomStringConvertible {
    let base: any Service
    let gate: StartupGate

    var description: String { (base as? CustomStringConvertible)?.description ?? String(describing: type(of: base)) }

    func run() async throws {
        let gate = self.gate
        // A shutdown before start-up finished must neither hang here nor start the work.
        try? await cancelWhenGracefulShutdown { await gate.wait() }
        if Task.isCancelled || Task.isShuttingDownGracefully { return }
        try await base.run()
    }
}
