import Foundation

/// Any command as an agent (§15): one process per message, stdout is the reply, stderr becomes
/// redacted `error` chunks, exit code 0 means success. Custom types of adapters.json use it too.
public final class GenericAdapter: AgentAdapter, @unchecked Sendable {
    public let type = "generic"
    public let options: AdapterOptions
    public let supportsParallelRooms = false
    public let supportsRewind = false
    public let command: String
    public let arguments: [String]
    public let promptVia: CustomAdapterDefinition.PromptVia
    /// adapters.json `env` (never-passable keys already dropped), under the credential env.
    public let extraEnvironment: [String: String]
    public let customTypeName: String?

    private struct State {
        var busyRoom: String?
        var child: ChildProcess?
        var level: PermissionLevel
        var disposed = false
    }
    private let state: Locked<State>
    private let scrubber: SecretScrubber

    public init(options: AdapterOptions, command: String, arguments: [String] = [], promptVia: CustomAdapterDefinition.PromptVia = .stdin,
                environment: [String: String] = [:], customTypeName: String? = nil) throws {
        do {
            self.command = try CommandValidation.validate(command)
        } catch {
            throw AdapterFactoryError.invalidCommand("\(error)")
        }
        self.options = options
        self.arguments = arguments
        self.promptVia = promptVia
        self.extraEnvironment = environment.filter { !SafeEnvironment.neverPassable.contains($0.key) }
        self.customTypeName = customTypeName
        self.state = Locked(State(level: options.permissionLevel))
        self.scrubber = SecretScrubber.forAdapter(options)
    }

    public convenience init(options: AdapterOptions, definition: CustomAdapterDefinition) throws {
        try self.init(options: options, command: definition.command, arguments: definition.args, promptVia: definition.promptVia,
                      environment: definition.env, customTypeName: definition.name)
    }

    public func send(_ prompt: String, context: MessageContext, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> ReplyOutcome {
        let claimed = state.withLock { s -> Bool in
            guard s.busyRoom == nil, !s.disposed else { return false }
            s.busyRoom = context.roomKey
            return true
        }
        guard claimed else { return .failed("Agent is already processing a message") }
        defer { state.withLock { $0.busyRoom = nil; $0.child = nil } }

        let env = SafeEnvironment.build(passEnv: options.passEnv, overlay: extraEnvironment.merging(options.environment) { _, credential in credential })
        let argv = arguments + (promptVia == .arg ? [prompt] : [])
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: command, arguments: argv, environment: env,
                                     workingDirectory: options.workingDirectory, pipeStdin: promptVia == .stdin)
            try child.start()
        } catch {
            return .failed(scrubber.scrub("\(error)"))
        }
        state.withLock { $0.child = child }

        let failure = Locked<String?>(nil)
        let timeouts = options.timeouts ?? ProcessTimeouts.fromEnvironment(absoluteCap: nil)
        let watchdog = Watchdog(timeouts: timeouts) { reason in
            failure.withLock { current in
                if current == nil {
                    current = reason == .inactivity ? "Process timed out" : "Process exceeded absolute timeout (\(AdapterText.minutes(timeouts.absoluteMs)) minutes)"
                }
            }
            child.terminate()
        }
        watchdog.start()
        defer { watchdog.cancel() }

        if promptVia == .stdin {
            Task {
                do { try await child.write(Data(prompt.utf8)) } catch { /* only logged in the original */ }
                child.closeStdin()
            }
        }

        var content = ""
        var contentCount = 0
        var stdoutDecoder = UTF8ChunkDecoder()
        var stderrDecoder = UTF8ChunkDecoder()
        var stderrBytes = 0
        var overLimit = false
        for await event in child.output {
            watchdog.touch()
            if overLimit { continue }
            switch event {
            case .stdout(let data):
                let text = stdoutDecoder.decode(data)
                content += text
                contentCount += text.utf16.count
                if contentCount > OutputLimits.maxStdoutCharacters {
                    overLimit = true
                    failure.withLock { if $0 == nil { $0 = "Response too large" } }
                    child.terminate()
                } else if !text.isEmpty {
                    await onChunk(scrubber.scrub(AgentChunk(.text, text)))
                }
            case .stderr(let data):
                stderrBytes += data.count
                if stderrBytes > OutputLimits.maxStderrBytes {
                    overLimit = true
                    failure.withLock { if $0 == nil { $0 = "Stderr output too large (exceeded 5MB)" } }
                    child.terminate()
                } else {
                    let text = stderrDecoder.decode(data).trimmingCharacters(in: .whitespacesAndNewlines)
                    let redacted = scrubber.scrub(StderrRedactor.redact(text))
                    if !redacted.isEmpty { await onChunk(AgentChunk(.error, redacted)) }
                }
            }
        }
        if !overLimit {
            let tail = stdoutDecoder.flush()
            if !tail.isEmpty {
                content += tail
                await onChunk(scrubber.scrub(AgentChunk(.text, tail)))
            }
        }
        let exit = await child.waitForExit()
        if let reason = failure.current { return .failed(reason) }
        if exit.signaled { return .failed("Process killed by signal") }
        if exit.code == 0 { return .complete(fullContent: scrubber.scrub(content)) }
        return .failed("Process exited with code \(exit.code)")
    }

    /// SIGTERM, SIGKILL after 5 s: a stopped message ends as "Process killed by signal".
    public func stop() async {
        state.current.child?.terminate()
    }

    public func stop(roomKey: String) async {
        let child = state.withLock { $0.busyRoom == roomKey ? $0.child : nil }
        child?.terminate()
    }

    public func dispose() async {
        let child = state.withLock { s -> ChildProcess? in
            s.disposed = true
            return s.child
        }
        child?.terminate()
    }

    public func isRoomBusy(_ roomKey: String) async -> Bool { state.current.busyRoom != nil }
    public var isRunning: Bool { get async { state.current.busyRoom != nil } }

    public func info(roomKey: String?) async -> AdapterInfo { AdapterInfo() }
    public func waitForModels(milliseconds: Int) async {}
    public func handleSlashCommand(_ command: String, args: String, roomKey: String?) async -> CommandResult { .unsupported }
    public func rewind(messageId: String, roomKey: String?) async -> CommandResult { .unsupported }
    public func setPermissionLevel(_ level: PermissionLevel) async { state.withLock { $0.level = level } }
    public func permissionLevel() async -> PermissionLevel { state.current.level }
}
