import AgentIMCore
import Logging
import ServiceLifecycle

/// A periodic job whose interval is a runtime setting (`cleanup.*Interval`): the interval is
/// re-read whenever the settings change, so a value saved by an admin reschedules the next
/// round on every process at once (the original fixed these at start). Rounds start only
/// once the schema is in place (`schemaReady`), and stop when the service group shuts down.
public struct SettingTimer: Sendable {
    public let settings: RuntimeSettings
    /// The setting holding the interval in milliseconds.
    public let key: String
    /// The interval when no admin has stored one: the process's environment value, which
    /// may go below the setting's minimum under `NODE_ENV=test`.
    public let configuredMs: Int
    public let firstRun: Duration
    public let schemaReady: StartupGate
    public let logger: Logger
    public let name: String

    public init(settings: RuntimeSettings, key: String, configuredMs: Int, firstRun: Duration, schemaReady: StartupGate,
                logger: Logger, name: String) {
        self.settings = settings
        self.key = key
        self.configuredMs = configuredMs
        self.firstRun = firstRun
        self.schemaReady = schemaReady
        self.logger = logger
        self.name = name
    }

    /// The interval now in force: DB → environment → default.
    public var intervalMs: Int {
        guard let definition = SettingsRegistry.definition(key), settings.resolve(definition).source == .db else { return configuredMs }
        return settings.int(key)
    }

    enum Wake { case due, changed }

    public func run(_ round: @Sendable () async throws -> Void) async {
        await schemaReady.wait()
        let started = ContinuousClock.now
        var lastRound: ContinuousClock.Instant?
        var announced: Int?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let ms = intervalMs
            if announced != ms {
                logger.debug("\(name): every \(ms) ms (\(key))")
                announced = ms
            }
            let interval = Duration.milliseconds(ms)
            let due = lastRound.map { $0 + interval } ?? started + min(firstRun, interval)
            let wake = await cancelWhenGracefulShutdownOrNil { await wait(until: due) }
            guard let wake, !Task.isShuttingDownGracefully else { return }
            guard wake == .due else { continue }
            lastRound = .now
            do {
                try await round()
            } catch {
                logger.error("\(name) failed: \(error)")
            }
        }
    }

    /// Sleeps until `due`, or less when the settings change first.
    private func wait(until due: ContinuousClock.Instant) async -> Wake {
        let settings = self.settings
        return await withTaskGroup(of: Wake?.self) { group in
            group.addTask { (try? await LoopSleep.until(due)) == nil ? nil : .due }
            group.addTask {
                await settings.nextChange()
                return .changed
            }
            defer { group.cancelAll() }
            let first: Wake?? = await group.next()
            return (first ?? nil) ?? .changed  // a cancelled sleep: the caller sees the cancellation
        }
    }

    private func cancelWhenGracefulShutdownOrNil(_ body: @escaping @Sendable () async -> Wake) async -> Wake? {
        try? await cancelWhenGracefulShutdown { await body() }
    }
}
