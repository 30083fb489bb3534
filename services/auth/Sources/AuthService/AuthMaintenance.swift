import AgentIMDatabase
import AgentIMRuntime
import Logging
import ServiceLifecycle

/// The auth service's periodic clean-ups (data-config-security §4), each first run one
/// interval after start:
/// - every `cleanup.tokenInterval` (1 h): expired refresh tokens and expired revocation rows;
/// - every `cleanup.auditInterval` (24 h): audit rows older than `cleanup.auditRetentionDays`.
/// Intervals and retention are read from the live settings at each run, where the original
/// fixed the intervals at start. Every auth replica runs them; the deletes are idempotent.
struct AuthMaintenance: Service {
    let database: Database
    let settings: RuntimeSettings
    let logger: Logger

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await every("cleanup.tokenInterval") { try await sweepTokens() } }
            group.addTask { await every("cleanup.auditInterval") { try await sweepAuditLog() } }
        }
    }

    /// Runs `job` every `intervalKey` milliseconds until shutdown.
    private func every(_ intervalKey: String, _ job: @Sendable () async throws -> Void) async {
        while true {
            do {
                let interval = Duration.milliseconds(settings.int(intervalKey))
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // cancelled or shutting down
            }
            do {
                try await job()
            } catch {
                logger.error("periodic \(intervalKey) job failed: \(error)")
            }
        }
    }

    func sweepTokens() async throws {
        try await RefreshTokenStore(database: database).deleteExpired()
        try await RevokedTokenStore(database: database).deleteExpired()
    }

    func sweepAuditLog() async throws {
        try await AuditStore(database: database).deleteOlderThan(days: settings.int("cleanup.auditRetentionDays"))
    }
}
