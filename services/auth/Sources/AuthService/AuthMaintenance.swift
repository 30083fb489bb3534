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
    let schemaReady: StartupGate
    let logger: Logger

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await every("cleanup.tokenInterval") { try await sweepTokens() } }
            group.addTask { await every("cleanup.auditInterval") { try await sweepAuditLog() } }
        }
    }

    /// Runs `job` every `intervalKey` milliseconds until shutdown, rescheduled when the setting changes.
    private func every(_ intervalKey: String, _ job: @Sendable () async throws -> Void) async {
        // The first run comes one interval after start (a day is the longest interval).
        let timer = SettingTimer(settings: settings, key: intervalKey, configuredMs: settings.int(intervalKey), firstRun: .seconds(86_400),
                                 schemaReady: schemaReady, logger: logger, name: "periodic \(intervalKey) job")
        await timer.run(job)
    }

    func sweepTokens() async throws {
        try await RefreshTokenStore(database: database).deleteExpired()
        try await RevokedTokenStore(database: database).deleteExpired()
    }

    func sweepAuditLog() async throws {
        try await AuditStore(database: database).deleteOlderThan(days: settings.int("cleanup.auditRetentionDays"))
    }
}
