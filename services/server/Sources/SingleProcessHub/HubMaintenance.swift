import AgentIMCore
import AgentIMDatabase
import AgentIMRuntime
import AgentIMSecrets
import Logging

/// The one-shot commands of `agentim-server`: each opens the database, does its work and
/// returns the line to print.
public enum HubMaintenance {
    /// `agentim-server migrate`: apply the schema (Kubernetes Job, compose one-shot).
    public static func migrate(config: HubConfig, logger: Logger) async throws -> String {
        let database = try Database(url: config.databaseURL, poolSize: 2, logger: logger)
        let applied = try await whilePoolRuns(database) { try await Migrator(database: database).migrate() }
        return "agentim: migrations applied: \(applied.isEmpty ? "none pending" : applied.map(String.init).joined(separator: ", "))"
    }

    /// `agentim-server reencrypt`: move every stored secret from ENCRYPTION_KEY_PREVIOUS to ENCRYPTION_KEY.
    public static func reencrypt(config: HubConfig, environment: Environment, logger: Logger) async throws -> String {
        guard let newKey = config.encryptionKey else { throw ConfigError("reencrypt needs ENCRYPTION_KEY (the new key)") }
        guard let oldKey = environment.nonEmpty("ENCRYPTION_KEY_PREVIOUS") else {
            throw ConfigError("reencrypt needs ENCRYPTION_KEY_PREVIOUS (the key the secrets are stored under now)")
        }
        let database = try Database(url: config.databaseURL, poolSize: 2, logger: logger)
        let report = try await whilePoolRuns(database) {
            try await SecretRotation(database: database).run(from: SecretBox(encryptionKey: oldKey), to: SecretBox(encryptionKey: newKey))
        }
        return "agentim: re-encrypted \(report.rotated) secret(s); \(report.alreadyCurrent) already under the new key"
    }

    /// Runs `work` while the database's connection pool runs, then stops the pool and waits until
    /// it has stopped. A pool only cancelled was still closing its connections when the command
    /// returned and the process exited, and the exit aborted in Swift's task allocator ("freed
    /// pointer was not the last allocation"), every time `reencrypt` ran on this machine.
    static func whilePoolRuns<T: Sendable>(_ database: Database, _ work: () async throws -> T) async throws -> T {
        let pool = Task { await database.client.run() }
        let result: Result<T, any Error>
        do { result = .success(try await work()) } catch { result = .failure(error) }
        pool.cancel()
        await pool.value
        return try result.get()
    }
}
