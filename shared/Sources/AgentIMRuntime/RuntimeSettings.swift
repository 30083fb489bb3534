import AgentIMCore
import AgentIMDatabase
import AgentIMSecrets
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The runtime settings as this process sees them: the `settings` table (owned by auth,
/// read by every process with a database) over the environment over the defaults
/// (data-config-security §2.4). Reads are synchronous for hot paths; `reload` runs at start
/// (auth does it in `prepare`; a process that starts reading settings must do the same)
/// and whenever `ControlEvent.settingsChanged` arrives, so a change made through one
/// process reaches the others within the bus's latency, where the original needed a restart.
public final class RuntimeSettings: Sendable {
    public enum Source: String, Sendable, Codable { case db, env, `default` }

    let environment: Environment
    let production: Bool
    let secrets: SecretBox
    let database: Database?
    let logger: Logger
    /// Plaintext values of the rows that decrypt and validate.
    private let stored = Mutex<[String: String]>([:])

    public init(environment: Environment, production: Bool, secrets: SecretBox, database: Database?, logger: Logger) {
        self.environment = environment
        self.production = production
        self.secrets = secrets
        self.database = database
        self.logger = logger
    }

    /// Re-reads every row of `settings`. A row that cannot be decrypted or no longer
    /// validates is skipped with a warning, so the environment or default applies instead.
    public func reload() async throws {
        guard let database else { return }
        var values: [String: String] = [:]
        let rows = try await database.client.query("SELECT key, value FROM settings", logger: logger)
        for try await (key, raw) in rows.decode((String, String).self) {
            guard let definition = SettingsRegistry.definition(key) else { continue }
            guard let value = definition.sensitive ? secrets.open(raw) : raw else {
                logger.warning("setting \(key) cannot be decrypted with ENCRYPTION_KEY; using the environment or default")
                continue
            }
            if let problem = definition.problem(with: value) {
                logger.warning("setting \(key) in the database is invalid (\(problem)); using the environment or default")
                continue
            }
            values[key] = value
        }
        stored.withLock { $0 = values }
    }

    /// The effective value and where it came from.
    public func resolve(_ definition: SettingDefinition) -> (value: String, source: Source) {
        if let value = stored.withLock({ $0[definition.key] }) { return (value, .db) }
        if let envKey = definition.envKey, let value = definition.valueFromEnvironment(environment.string(envKey)) {
            return (value, .env)
        }
        return (definition.defaultValue(production: production), .default)
    }

    public func string(_ key: String) -> String {
        guard let definition = SettingsRegistry.definition(key) else { return "" }
        return resolve(definition).value
    }

    public func bool(_ key: String) -> Bool { string(key) == "true" }

    /// A number setting, whole part; values are validated against min–max on the way in.
    public func int(_ key: String) -> Int {
        let definition = SettingsRegistry.definition(key)
        let parsed = JSNumber.parse(string(key)) ?? definition.flatMap { Double($0.defaultValue) } ?? 0
        return parsed.isFinite ? Int(parsed) : (definition?.max ?? 0)
    }

    /// A time-span setting (`jwt.*Expiry`) in seconds, with `fallback` for an unreadable one.
    public func seconds(_ key: String, fallback: Int) -> Int {
        TimeSpan.seconds(string(key)) ?? fallback
    }
}
