import AgentIMCore
import Logging
import ServiceLifecycle

/// The loop of a periodic job (data-config-security §4): `round` runs first after
/// `firstRun` (or after `interval`, when that is shorter), then every `interval`, until the
/// service group shuts down gracefully. A failing round is logged; the next one still runs.
public enum PeriodicJob {
    public static func run(firstRun: Duration, interval: Duration, logger: Logger, name: String,
                           _ round: @Sendable () async throws -> Void) async {
        var wait = min(firstRun, interval)
        while true {
            let pause = wait
            do {
                try await cancelWhenGracefulShutdown { try await LoopSleep.for(pause) }
            } catch {
                return  // shutting down
            }
            wait = interval
            do {
                try await round()
            } catch {
                logger.error("\(name) failed: \(error)")
            }
        }
    }
}
