import Foundation
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child ended.
public struct ProcessExit: Sendable, Equatable {
    public var code: Int32
    /// True when it died of a signal (`code` is then the signal number).
    public var signaled: Bool
}

public enum ChildOutput: Sendable {
    case stdout(Data)
    case stderr(Data)
}

public enum ChildProcessError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case launchFailed(String)
    case stdinClosed

    public var description: String {
        switch self {
        case .notFound(let command): return "Command \"\(command)\" not found. Install it or make sure it is on your PATH."
        case .launchFailed(let text): return text
        case .stdinClosed: return "stdin is closed"
        }
    }
}

/// One child process with piped stdio. Output arrives on `output` as the kernel hands it over
/// (`PipeChannel`: NIO's event loops, no thread blocked per pipe); `output` finishes when both
/// pipes reach EOF.
public final class ChildProcess: @unchecked Sendable {
    public let executable: String
    public let arguments: [String]

    private let process = Process()
    private let stdinPipe: Pipe?
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private var stdin: PipeWriter?

    private let lock = NSLock()
    private var exit: ProcessExit?
    private var exitWaiters: [CheckedContinuation<ProcessExit, Never>] = []
    private var openOutputs = 2
    private var killTask: Task<Void, Never>?

    public let output: AsyncStream<ChildOutput>
    private let outputContinuation: AsyncStream<ChildOutput>.Continuation

    private static let ignoreSigpipe: Void = { signal(SIGPIPE, SIG_IGN); return () }()

    /// `executable` is resolved on the PATH of `environment` unless it contains a `/`.
    public init(executable: String, arguments: [String], environment: [String: String],
                workingDirectory: String?, pipeStdin: Bool) throws {
        guard let resolved = ExecutableLocator.resolve(executable, environment: environment) else {
            throw ChildProcessError.notFound(executable)
        }
        self.executable = resolved
        self.arguments = arguments
        self.stdinPipe = pipeStdin ? Pipe() : nil
        (output, outputContinuation) = AsyncStream.makeStream(of: ChildOutput.self)
        process.executableURL = URL(fileURLWithPath: resolved)
        process.arguments = arguments
        process.environment = environment
        if let dir = workingDirectory, !dir.isEmpty { process.currentDirectoryURL = URL(fileURLWithPath: dir) }
        process.standardInput = stdinPipe ?? FileHandle.nullDevice
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
    }

    public var pid: Int32 { process.processIdentifier }

    public func start() throws {
        _ = Self.ignoreSigpipe
        process.terminationHandler = { [weak self] proc in
            let result = ProcessExit(code: proc.terminationStatus, signaled: proc.terminationReason == .uncaughtSignal)
            self?.finishExit(result)
        }
        do {
            // The child inherits the spawning thread's signal mask, and pool threads block nearly
            // everything: unblock the stop signals for the spawn so SIGTERM/SIGINT reach the agent.
            var stopSignals = sigset_t(), previous = sigset_t()
            sigemptyset(&stopSignals)
            for sig in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&stopSignals, sig) }
            pthread_sigmask(SIG_UNBLOCK, &stopSignals, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            try process.run()
        } catch {
            outputContinuation.finish()
            throw ChildProcessError.launchFailed("Failed to start \(executable): \(error.localizedDescription)")
        }
        do {
            if let stdinPipe {
                let writer = try PipeChannel.writer(adopting: stdinPipe.fileHandleForWriting)
                lock.withLock { stdin = writer }
            }
            try read(stdoutPipe.fileHandleForReading) { .stdout($0) }
            try read(stderrPipe.fileHandleForReading) { .stderr($0) }
        } catch {
            terminate(graceMs: 0)
            outputContinuation.finish()
            throw error
        }
    }

    private func read(_ handle: FileHandle, wrap: @escaping @Sendable (Data) -> ChildOutput) throws {
        let continuation = outputContinuation
        try PipeChannel.read(adopting: handle, onData: { continuation.yield(wrap($0)) }, onEnd: { [weak self] in self?.outputClosed() })
    }

    private func outputClosed() {
        lock.lock()
        openOutputs -= 1
        let finished = openOutputs == 0
        lock.unlock()
        if finished { outputContinuation.finish() }
    }

    /// Writes to stdin without blocking a thread; a child that already exited makes it throw.
    public func write(_ data: Data) async throws {
        guard let stdin = lock.withLock({ stdin }) else { throw ChildProcessError.stdinClosed }
        do {
            try await stdin.write(data)
        } catch {
            throw ChildProcessError.launchFailed("write to \(executable) failed (\(error))")
        }
    }

    public func writeLine(_ text: String) async throws {
        try await write(Data((text + "\n").utf8))
    }

    /// Closes stdin (after pending writes) so the child sees EOF.
    public func closeStdin() {
        let writer: PipeWriter? = lock.withLock {
            let current = stdin
            stdin = nil
            return current
        }
        writer?.close()
    }

    public func sendSignal(_ sig: Int32) {
        guard process.isRunning || lock.withLock({ exit == nil }) else { return }
        let pid = process.processIdentifier
        if pid > 0 { kill(pid, sig) }
    }

    /// SIGTERM now, SIGKILL after `graceMs` if still alive (§15.3).
    public func terminate(graceMs: Int = 5_000) {
        sendSignal(SIGTERM)
        lock.lock()
        if killTask == nil, exit == nil {
            killTask = Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(graceMs))
                guard let self, !Task.isCancelled, self.lock.withLock({ self.exit == nil }) else { return }
                self.sendSignal(SIGKILL)
            }
        }
        lock.unlock()
    }

    public var hasExited: Bool { lock.withLock { exit != nil } }

    /// Waits for the process to end (not for its output to be drained; iterate `output` for that).
    public func waitForExit() async -> ProcessExit {
        await withCheckedContinuation { cont in
            lock.lock()
            if let exit {
                lock.unlock()
                cont.resume(returning: exit)
            } else {
                exitWaiters.append(cont)
                lock.unlock()
            }
        }
    }

    private func finishExit(_ result: ProcessExit) {
        lock.lock()
        exit = result
        let waiters = exitWaiters
        exitWaiters = []
        killTask?.cancel()
        lock.unlock()
        for waiter in waiters { waiter.resume(returning: result) }
    }
}

/// Finds an executable the way `execvp` would, on the PATH of the child's environment.
public enum ExecutableLocator {
    public static func resolve(_ command: String, environment: [String: String]) -> String? {
        let fm = FileManager.default
        if command.contains("/") {
            return fm.isExecutableFile(atPath: command) ? command : nil
        }
        let path = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(command)"
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}
