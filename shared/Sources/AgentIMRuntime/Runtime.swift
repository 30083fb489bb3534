import AgentIMBus
import AgentIMCore
import AgentIMDatabase
import AgentIMRedis
import AgentIMSecrets
import AgentIMTokens
import Foundation
import Logging
import ServiceLifecycle

/// What every hub process holds: its configuration, logger, the bus (Redis streams when
/// `REDIS_URL` is set, in memory otherwise), the database when the process owns tables,
/// and token verification with a revocation cache that is current before it serves.
public final class Runtime: Sendable {
    public let config: HubConfig
    public let logger: Logger
    /// Unique per process: the address of this process's sockets on the bus.
    public let nodeId: String
    public let database: Database?
    public let redis: RedisClient?
    public let bus: any Bus
    public let tokens: TokenService
    public let revocations: RevocationCache
    /// The secret envelope under `ENCRYPTION_KEY` (§3.9).
    public let secrets: SecretBox
    /// Runtime settings: the `settings` table over the environment over the defaults.
    public let settings: RuntimeSettings
    /// Open once the schema and revocations are in place (`prepareDatabase`); at once without a database.
    public let schemaReady: StartupGate
    /// Unhandled errors and 5xx answers to Sentry (`SENTRY_DSN`), off the request path.
    public let errors: ErrorReporter

    /// Opens connections and checks reachability; throws `ConfigError` with one clear line.
    public init(config: HubConfig, usesDatabase: Bool, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        nodeId = "\(config.processRole)-\(Nanoid.make(length: 10))"
        database = usesDatabase ? try Database(url: config.databaseURL, poolSize: config.databasePoolSize, logger: logger) : nil
        if let redisURL = config.redisURL {
            let redis = try RedisClient(redisURL)
            do {
                try await redis.waitUntilReachable()
            } catch {
                throw ConfigError("Redis is not reachable after 3 attempts at \(redisURL)")
            }
            self.redis = redis
            bus = RedisBus(redis: redis)
        } else {
            redis = nil
            bus = InMemoryBus()
        }
        revocations = RevocationCache()
        tokens = await TokenService(secret: config.jwtSecret, previousSecret: config.jwtSecretPrevious, revocations: revocations)
        secrets = SecretBox(encryptionKey: config.encryptionKey)
        settings = RuntimeSettings(environment: .process, production: config.isProduction, secrets: secrets,
                                   database: database, logger: logger)
        errors = try ErrorReporter.start(config: config, settings: settings, serverName: nodeId, logger: logger)
        schemaReady = StartupGate(open: database == nil)
        // `log.level` stored by an admin wins over LOG_LEVEL, on every process, without a restart.
        let configuredLevel = config.logLevel
        settings.onChange { settings in
            LiveLogLevel.set(LiveLogLevel.parse(settings.storedValue("log.level") ?? configuredLevel) ?? .info)
        }
    }

    /// For the single-process hub: one runtime shared by every mounted service.
    public init(sharing other: Runtime, usesDatabase: Bool) throws {
        config = other.config
        logger = other.logger
        nodeId = other.nodeId
        database = other.database
        redis = other.redis
        bus = other.bus
        tokens = other.tokens
        revocations = other.revocations
        secrets = other.secrets
        settings = other.settings
        schemaReady = other.schemaReady
        errors = other.errors
    }

    /// Long-lived pieces to run in the process's service group, before any service that uses them.
    public var backgroundServices: [any Service] {
        var services: [any Service] = []
        if let database { services.append(database.service) }
        services.append(ControlFollower(runtime: self))
        services.append(errors.sender)
        return services
    }

    /// Applies migrations (unless `RUN_MIGRATIONS=false`). The database pool must be running.
    public func migrateIfEnabled() async throws {
        guard let database, config.runMigrations else { return }
        try await Migrator(database: database).migrate()
    }

    /// Loads revocations from `revoked_tokens` (the source of truth) before serving.
    public func loadRevocationsFromDatabase() async throws {
        guard let database else { return }
        let rows = try await database.client.query("""
            SELECT user_id, max(token_hash::bigint) FROM revoked_tokens
            WHERE expires_at > now() GROUP BY user_id
            """, logger: logger)
        var entries: [(userId: String, revokedAtMs: Int64)] = []
        for try await (userId, revokedAt) in rows.decode((String, Int64).self) {
            entries.append((userId, revokedAt))
        }
        await revocations.load(entries)
    }

    public func publish(_ stream: String, _ value: some Encodable) async throws {
        try await bus.publish(stream, value)
    }

    /// Hands an audit row to the auth service, which owns the log. Auditing never fails the
    /// action it records: a failed publish is logged.
    public func audit(_ entry: AuditEntry) async {
        do {
            try await bus.publish(BusStream.auditCommands, entry)
        } catch {
            logger.error("audit \(entry.action) not sent: \(error)")
        }
    }

    public func deliver(_ delivery: Delivery) async throws {
        try await bus.append(BusStream.events, delivery.busPayload())
    }

    /// Several deliveries, in order, in one bus round trip.
    public func deliver(contentsOf deliveries: [Delivery]) async throws {
        guard !deliveries.isEmpty else { return }
        try await bus.append(BusStream.events, contentsOf: deliveries.map { try $0.busPayload() }, maxLength: 100_000)
    }

    public func shutdown() async {
        await redis?.shutdown()
    }
}

/// Applies control events that every process must see: revocations and settings changes.
struct ControlFollower: Service {
    let runtime: Runtime

    func run() async throws {
        let revocations = runtime.revocations
        let settings = runtime.settings
        let logger = runtime.logger
        try await EventFollower(bus: runtime.bus, stream: BusStream.control, logger: logger) { entry in
            guard let event = try? JSONDecoder().decode(ControlEvent.self, from: entry.payload) else { return }
            switch event {
            case .tokensRevoked(let userId, let revokedAtMs):
                await revocations.record(userId: userId, revokedAtMs: revokedAtMs)
            case .settingsChanged:
                do {
                    try await settings.reload()
                } catch {
                    logger.error("cannot reload settings after a change: \(error)")
                }
            default:
                break
            }
        }.run()
    }
}
