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
    /// `int(_:)`'s answers until the stored values change: sockets ask for their limits on
    /// every frame, and resolving one (registry, environment, number parsing) each time showed
    /// in the hub's profile.
    /// `generation` moves on each `apply`, so an answer worked out from older values is not kept.
    private let ints = Mutex<(generation: Int, values: [String: Int])>((0, [:]))
    /// Where a process without a database (the distributed edge) gets the stored values: the auth service.
    private let remote = Mutex<(@Sendable () async throws -> [String: String])?>(nil)
    /// Tasks waiting in `nextChange()`, and how many reloads happened (so a waiter never misses one).
    private let changes = Mutex<(generation: Int, waiters: [Int: CheckedContinuation<Void, Never>], next: Int)>((0, [:], 0))
    /// Called after every load, for settings applied by a push rather than read at each use.
    private let observers = Mutex<[@Sendable (RuntimeSettings) -> Void]>([])

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
        guard let database else {
            if let load = remote.withLock({ $0 }) { apply(try await load()) }
            return
        }
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
        apply(values)
    }

    /// Makes the settings of a process without a database come from `load` (the non-sensitive
    /// stored values, from the auth service), at `reload` and after every change event.
    public func loadRemotely(_ load: @escaping @Sendable () async throws -> [String: String]) {
        remote.withLock { $0 = load }
    }

    /// The stored values that validate, as `reload` found them; wakes `nextChange()` waiters.
    public func apply(_ values: [String: String]) {
        let valid = values.filter { key, value in SettingsRegistry.definition(key)?.problem(with: value) == nil }
        stored.withLock { $0 = valid }
        ints.withLock { $0 = ($0.generation + 1, [:]) }
        // Observers first: a timer woken below logs at the level a change just set.
        for observer in observers.withLock({ $0 }) { observer(self) }
        logger.debug("settings loaded: \(valid.count) stored value(s)")
        let waiters = changes.withLock { state in
            state.generation += 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Runs `observer` after every load of the stored values (at start and after each change
    /// anywhere): for a setting applied by re-initialising something (log level, Sentry, Web Push).
    public func onChange(_ observer: @escaping @Sendable (RuntimeSettings) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// The value an admin stored for `key`, nil when none is (the caller's own fallback applies).
    public func storedValue(_ key: String) -> String? {
        stored.withLock { $0[key] }
    }

    /// The stored values of the keys that are not sensitive (what an edge may be sent).
    public func storedPublicValues() -> [String: String] {
        stored.withLock { $0 }.filter { SettingsRegistry.definition($0.key)?.sensitive == false }
    }

    /// Returns after the next reload (or at once when the task is cancelled): timers that
    /// sleep for a setting's interval wake here to re-read it.
    public func nextChange() async {
        let id = changes.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = changes.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            changes.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
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
        let (generation, known) = ints.withLock { ($0.generation, $0.values[key]) }
        if let known { return known }
        let definition = SettingsRegistry.definition(key)
        let parsed = JSNumber.parse(string(key)) ?? definition.flatMap { Double($0.defaultValue) } ?? 0
        let value = parsed.isFinite ? Int(parsed) : (definition?.max ?? 0)
        ints.withLock { if $0.generation == generation { $0.values[key] = value } }
        return value
    }

    /// A time-span setting (`jwt.*Expiry`) in seconds, with `fallback` for an unreadable one.
    public func seconds(_ key: String, fallback: Int) -> Int {
        TimeSpan.seconds(string(key)) ?? fallback
    }
}
