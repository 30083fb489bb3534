import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The parts of a process that are still running (its HTTP server, each background service,
/// the runtime's final shutdown), by name, so a shutdown that hangs can say what it waits on.
public final class RunningParts: Sendable {
    private let running = Mutex<[String: Int]>([:])

    public init() {}

    public func started(_ name: String) {
        running.withLock { $0[name, default: 0] += 1 }
    }

    public func finished(_ name: String) {
        running.withLock { parts in
            guard let count = parts[name] else { return }
            parts[name] = count > 1 ? count - 1 : nil
        }
    }

    /// Names still running, sorted; a name that runs twice is listed twice.
    public var names: [String] {
        running.withLock { parts in parts.sorted { $0.key < $1.key }.flatMap { Array(repeating: $0.key, count: $0.value) } }
    }

    /// Runs `body` as the part `name`.
    public func track<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
        started(name)
        defer { finished(name) }
        return try await body()
    }
}

/// Whatever a process's shutdown waits on, it exits within a bound of SIGTERM/SIGINT: once
/// armed, if the process is still alive after `timeout`, it logs the parts that had not finished
/// and terminates with `exitCode`. The timer runs on a Dispatch queue, not on the cooperative
/// pool, so it fires even when every task is stuck.
public final class ShutdownWatchdog: Sendable {
    public typealias Terminate = @Sendable (_ code: Int32, _ unfinished: [String]) -> Void

    public let parts: RunningParts
    let timeout: Duration
    let exitCode: Int32
    let logger: Logger
    let terminate: Terminate
    private let armed = Mutex(false)

    public init(parts: RunningParts = RunningParts(), timeout: Duration, exitCode: Int32 = 1, logger: Logger,
                terminate: @escaping Terminate = ShutdownWatchdog.exitProcess) {
        self.parts = parts
        self.timeout = timeout
        self.exitCode = exitCode
        self.logger = logger
        self.terminate = terminate
    }

    /// Starts the countdown (once; later calls do nothing).
    public func arm() {
        let first = armed.withLock { armed in
            defer { armed = true }
            return !armed
        }
        guard first else { return }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
            expire()
        }
    }

    func expire() {
        let unfinished = parts.names
        let list = unfinished.isEmpty ? "(every part finished; the process itself did not exit)" : unfinished.joined(separator: ", ")
        logger.critical("shutdown did not finish within \(timeout): still running: \(list); exiting with code \(exitCode)")
        terminate(exitCode, unfinished)
    }

    /// Ends the process now: nothing it waits on may hold it (no atexit handlers, no joins).
    public static let exitProcess: Terminate = { code, _ in
        fflush(nil)  // every open output stream
        _exit(code)
    }
}

/// A service of the process's group that arms the watchdog as soon as the graceful shutdown
/// starts. It must be the group's last service: the group signals services in reverse order
/// and waits for each, so the last one hears of the shutdown first.
struct ShutdownWatchdogService: Service {
    let watchdog: ShutdownWatchdog

    func run() async throws {
        // Returns on the graceful shutdown, or throws on cancellation: either way the process is stopping.
        try? await gracefulShutdown()
        watchdog.arm()
    }
}

/// A service run as a named part of `RunningParts`.
struct TrackedService: Service, CustomStringConvertible {
    let base: any Service
    let name: String
    let parts: RunningParts

    init(_ base: any Service, parts: RunningParts, name: String? = nil) {
        self.base = base
        self.parts = parts
        self.name = name ?? (base as? CustomStringConvertible)?.description ?? String(describing: type(of: base))
    }

    var description: String { name }

    func run() async throws {
        try await parts.track(name) { try await base.run() }
    }
}

/// Never returns, whatever happens (graceful shutdown, cancellation): a shutdown that waits on
/// something that never comes (AGENTIM_TEST_STALL_SHUTDOWN=1 with NODE_ENV=test).
struct StalledPart: Service {
    static let name = "stalled test part"
    /// Kept, never resumed (a dropped continuation would be reported as a leak).
    static let held = Mutex<[CheckedContinuation<Void, Never>]>([])

    func run() async throws {
        await withCheckedContinuation { continuation in Self.held.withLock { $0.append(continuation) } }
    }
}
