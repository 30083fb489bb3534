import AgentIMCore
import AgentIMDatabase
import Logging
import ServiceLifecycle

/// Deletes routing decisions older than a day, hourly: a decision only has to outlive the
/// redelivery of its command (seconds to minutes), not the message.
struct RoutingDecisionJanitor: Service {
    let database: Database

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // The first pass waits a minute: at start the migrations may still be running.
            try? await LoopSleep.for(.seconds(60))
            while !Task.isCancelled {
                do {
                    try await RoutingDecisionStore(database: database).deleteDecidedBeforeYesterday()
                } catch is CancellationError {
                    return
                } catch {
                    database.logger.warning("routing decisions cleanup failed: \(error)")
                }
                try? await LoopSleep.for(.seconds(3600))
            }
        }
    }
}
