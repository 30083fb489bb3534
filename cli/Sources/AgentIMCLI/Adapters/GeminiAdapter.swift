import Foundation

/// Gemini as the headless Gemini CLI, one process per message (§14.6):
/// `gemini -p <prompt> --output-format stream-json [-m model] --approval-mode … [-r session]`.
///
/// Approval: headless Gemini cannot ask the hub, so `interactive` runs with `--approval-mode default`,
/// where the CLI refuses tools that need approval (nothing runs unasked); `bypass` runs YOLO;
/// a room in plan mode runs `plan`.
public final class GeminiAdapter: AgentAdapter, @unchecked Sendable {
    public let type = "gemini"
    public let options: AdapterOptions
    public let supportsParallelRooms = true
    public let supportsRewind = true

    public static let models = ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3.1-pro-preview"]
    public static let thinkingModes = ["off", "low", "medium", "high"]
    /// Above this a prompt goes on stdin: one argv string is limited to 128 KiB on Linux.
    static let maxArgumentPrompt = 100_000

    struct RoomSettings { var model: String?; var planMode = false; var thinking: String? }
    struct Running { var child: ChildProcess?; var aborted = false }
    struct State {
        var level: PermissionLevel
        var rooms: [String: RoomSettings] = [:]
        var running: [String: Running] = [:]
        var cost = CostSummary()
        var disposed = false
    }

    let state: Locked<State>
    let sessions: RoomSessionFile
    let scrubber: SecretScrubber
    let tuning: [String: String]

    public init(options: AdapterOptions) {
        self.options = options
        self.sessions = RoomSessionFile(workingDirectory: options.workingDirectory, relativePath: ".gemini/.agentim-sessions.json")
        self.scrubber = SecretScrubber.forAdapter(options)
        self.tuning = options.tuningEnvironment
        self.state = Locked(State(level: options.permissionLevel))
    }

    func settings(_ room: String) -> RoomSettings { state.withLock { $0.rooms[room] ?? RoomSettings() } }
    func update(_ room: String, _ change: (inout RoomSettings) -> Void) {
        state.withLock { s in var value = s.rooms[room] ?? RoomSettings(); change(&value); s.rooms[room] = value }
    }

    public func send(_ prompt: String, context: MessageContext, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> ReplyOutcome {
        let room = context.roomKey
        let claimed = state.withLock { s -> Bool in
            guard s.running[room] == nil, !s.disposed else { return false }
            s.running[room] = Running()
            return true
        }
        guard claimed else { return .failed("Agent is already processing a message") }
        defer { state.withLock { _ = $0.running.removeValue(forKey: room) } }
        let scrubbed: @Sendable (AgentChunk) async -> Void = { [scrubber] chunk in await onChunk(scrubber.scrub(chunk)) }

        let resume = sessions.get(room)
        var outcome = await runOnce(prompt: prompt, room: room, resume: resume, onChunk: scrubbed)
        if case .failed = outcome.result, resume != nil, !outcome.aborted, !outcome.emitted {
            sessions.set(room, nil)   // the session is gone: start a fresh one (as Claude, §12.6)
            outcome = await runOnce(prompt: prompt, room: room, resume: nil, onChunk: scrubbed)
        }
        switch outcome.result {
        case .complete(let text): return .complete(fullContent: scrubber.scrub(text))
        case .failed(let text): return .failed(scrubber.scrub(text))
        }
    }

    struct RunResult { var result: ReplyOutcome; var aborted: Bool; var emitted: Bool }

    func arguments(prompt: String?, room: RoomSettings, resume: String?) -> [String] {
        let level = state.current.level
        var args = ["-p", prompt ?? " ", "--output-format", "stream-json"]
        if let model = room.model ?? tuning.nonEmpty("GEMINI_MODEL") { args += ["-m", model] }
        let mode = level == .bypass ? "yolo" : room.planMode ? "plan" : "default"
        args += ["--approval-mode", mode]
        if let resume { args += ["-r", resume] }
        return args
    }

    func runOnce(prompt: String, room: String, resume: String?, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> RunResult {
        let viaStdin = prompt.utf8.count > Self.maxArgumentPrompt
        let args = arguments(prompt: viaStdin ? nil : prompt, room: settings(room), resume: resume)
        let env = SafeEnvironment.build(passEnv: options.passEnv, overlay: options.environment)
        let executable = tuning.nonEmpty("AGENTIM_GEMINI_BIN") ?? "gemini"
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: executable, arguments: args, environment: env,
                                     workingDirectory: options.workingDirectory, pipeStdin: viaStdin)
            try child.start()
        } catch {
            return RunResult(result: .failed("\(error)"), aborted: false, emitted: false)
        }
        state.withLock { $0.running[room]?.child = child }
        if viaStdin {
            Task { try? await child.write(Data(prompt.utf8)); child.closeStdin() }
        }
        let timeouts = options.timeouts ?? ProcessTimeouts.fromEnvironment()
        let timedOut = Locked<String?>(nil)
        let watchdog = Watchdog(timeouts: timeouts) { reason in
            timedOut.withLock { $0 = reason == .inactivity ? "Process timed out" : "Process exceeded absolute timeout (\(AdapterText.minutes(timeouts.absoluteMs)) minutes)" }
            child.terminate()
        }
        watchdog.start()
        defer { watchdog.cancel() }

        var content = ""
        var emitted = false
        var splitter = LineSplitter()
        var stderrDecoder = UTF8ChunkDecoder()
        var stderr = StderrTail()
        for await event in child.output {
            watchdog.touch()
            switch event {
            case .stdout(let data):
                guard let lines = try? splitter.feed(data) else {
                    timedOut.withLock { $0 = "Response too large" }
                    child.terminate()
                    continue
                }
                for line in lines where !line.isEmpty {
                    if let chunk = handle(line: line, room: room, content: &content) { emitted = true; await onChunk(chunk) }
                }
            case .stderr(let data):
                stderr.append(StderrRedactor.redact(stderrDecoder.decode(data)))
            }
        }
        if let last = splitter.finish(), let chunk = handle(line: last, room: room, content: &content) { emitted = true; await onChunk(chunk) }
        let exit = await child.waitForExit()
        let aborted = state.current.running[room]?.aborted ?? false
        if aborted { return RunResult(result: .complete(fullContent: content.isEmpty ? "Interrupted" : content), aborted: true, emitted: emitted) }
        if let reason = timedOut.current { return RunResult(result: .failed(reason), aborted: false, emitted: emitted) }
        if exit.code == 0 && !exit.signaled { return RunResult(result: .complete(fullContent: content), aborted: false, emitted: emitted) }
        var message: String
        if exit.signaled { message = "Gemini CLI was killed by signal \(exit.code)" }
        else {
            switch exit.code {
            case 42: message = "Gemini CLI rejected the input (exit code 42)"
            case 53: message = "Gemini CLI reached the maximum number of session turns (exit code 53)"
            default: message = "Gemini CLI failed (exit code \(exit.code))"
            }
        }
        if !stderr.text.isEmpty { message += "\n[stderr]: \(stderr.text)" }
        return RunResult(result: .failed(message), aborted: false, emitted: emitted)
    }

    /// One stream-json line → at most one chunk (§14.6 table).
    func handle(line: String, room: String, content: inout String) -> AgentChunk? {
        guard let event = AdapterText.parseObject(line), let type = event["type"] as? String else { return nil }
        switch type {
        case "init":
            if let session = event["session_id"] as? String, !session.isEmpty { sessions.set(room, session) }
            return nil
        case "message":
            guard event["role"] as? String == "assistant", let text = event["content"] as? String, !text.isEmpty else { return nil }
            content += text
            return AgentChunk(.text, text)
        case "tool_use":
            let name = event["tool_name"] as? String ?? "unknown"
            let id = event["tool_id"] as? String ?? ""
            return AgentChunk(.toolUse, AdapterText.toolUseJSON(name: name, id: id, input: event["parameters"] ?? [String: Any]()),
                              metadata: ["toolName": name, "toolId": id])
        case "tool_result":
            let id = event["tool_id"] as? String ?? ""
            let text: String
            if event["status"] as? String == "error" {
                let error = event["error"] as? [String: Any]
                text = "Error: \(error?["message"] as? String ?? event["error"] as? String ?? "Tool failed")"
            } else {
                text = Self.render(event["output"])
            }
            return AgentChunk(.toolResult, text, metadata: ["toolId": id])
        case "error":
            return AgentChunk(.error, event["message"] as? String ?? "Unknown error")
        case "result":
            let stats = event["stats"] as? [String: Any] ?? [:]
            state.withLock { s in
                s.cost.inputTokens += (stats["input_tokens"] as? NSNumber)?.intValue ?? 0
                s.cost.outputTokens += (stats["output_tokens"] as? NSNumber)?.intValue ?? 0
                s.cost.cacheReadTokens += (stats["cached"] as? NSNumber)?.intValue ?? 0
            }
            return nil
        default:
            return nil
        }
    }

    /// Tool output rendering of §14.4: strings as-is; `output` (+ `error`); `error`; `message`; else JSON.
    static func render(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "" }
        if let text = value as? String { return text }
        if let object = value as? [String: Any] {
            if let output = object["output"] as? String {
                if let error = object["error"] as? String, !error.isEmpty { return output + "\n" + error }
                if output.isEmpty, object["ok"] as? Bool == false { return "Command failed" }
                return output
            }
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
        }
        return AdapterText.prettyJSON(value)
    }

    // MARK: stop

    public func stop() async {
        let rooms = state.withLock { Array($0.running.keys) }
        for room in rooms { await stop(roomKey: room) }
    }

    /// SIGTERM to the room's process; the reply ends with its text so far or "Interrupted".
    public func stop(roomKey: String) async {
        let child = state.withLock { s -> ChildProcess? in
            guard s.running[roomKey] != nil else { return nil }
            s.running[roomKey]?.aborted = true
            return s.running[roomKey]?.child
        }
        child?.terminate()
    }

    public func dispose() async {
        let children = state.withLock { s -> [ChildProcess] in
            s.disposed = true
            for key in s.running.keys { s.running[key]?.aborted = true }
            return s.running.values.compactMap(\.child)
        }
        for child in children { child.terminate(graceMs: 1_000) }
    }

    public func isRoomBusy(_ roomKey: String) async -> Bool { state.current.running[roomKey] != nil }
    public var isRunning: Bool { get async { !state.current.running.isEmpty } }

    // MARK: info and commands (§14.5)

    public static let slashCommands = [
        SlashCommand(name: "clear", description: "Clear the session", usage: "/clear", source: "builtin"),
        SlashCommand(name: "compact", description: "Compact the session", usage: "/compact", source: "builtin"),
        SlashCommand(name: "model", description: "Show or set the model", usage: "/model [name]", source: "builtin"),
        SlashCommand(name: "cost", description: "Show token usage", usage: "/cost", source: "builtin"),
        SlashCommand(name: "plan", description: "Toggle plan mode", usage: "/plan [on|off]", source: "builtin"),
        SlashCommand(name: "think", description: "Thinking: off, low, medium, high", usage: "/think [level]", source: "builtin"),
    ]

    public func info(roomKey: String?) async -> AdapterInfo {
        let room = settings(roomKey ?? "__global__")
        var info = AdapterInfo()
        info.slashCommands = Self.slashCommands
        info.model = room.model ?? tuning.nonEmpty("GEMINI_MODEL")
        info.thinkingMode = room.thinking
        info.planMode = room.planMode
        info.availableModels = Self.models
        info.availableThinkingModes = Self.thinkingModes
        info.cost = state.current.cost
        return info
    }

    public func waitForModels(milliseconds: Int) async {}

    public func handleSlashCommand(_ command: String, args rawArgs: String, roomKey: String?) async -> CommandResult {
        let room = roomKey ?? "__global__"
        let args = rawArgs.trimmingCharacters(in: .whitespaces)
        let current = settings(room)
        switch command {
        case "clear":
            sessions.set(room, nil)
            return CommandResult(success: true, message: "Session cleared")
        case "compact":
            guard sessions.get(room) != nil else { return CommandResult(success: true, message: "No active session to compact") }
            sessions.set(room, nil)
            return CommandResult(success: true, message: "Session compacted (reset)")
        case "model":
            if args.isEmpty { return CommandResult(success: true, message: "Current model: \(current.model ?? tuning.nonEmpty("GEMINI_MODEL") ?? "(default)")") }
            update(room) { $0.model = args }
            return CommandResult(success: true, message: "Model set to \(args)")
        case "cost":
            let cost = state.current.cost
            return CommandResult(success: true, message: "Input tokens: \(cost.inputTokens)\nOutput tokens: \(cost.outputTokens)\nCached tokens: \(cost.cacheReadTokens)")
        case "plan":
            let on = parseToggle(args, current: current.planMode)
            update(room) { $0.planMode = on }
            return CommandResult(success: true, message: "Plan mode: \(on ? "on" : "off")")
        case "think":
            if args.isEmpty { return CommandResult(success: true, message: "Thinking: \(current.thinking ?? "(default)")") }
            let level = args.lowercased()
            guard Self.thinkingModes.contains(level) else { return CommandResult(success: false, message: "Invalid thinking level: \(args). Use off, low, medium or high") }
            update(room) { $0.thinking = level }
            return CommandResult(success: true, message: "Thinking: \(level) (takes effect with a new session)")
        default:
            return CommandResult(success: false, message: "Unknown command: \(command)")
        }
    }

    public func rewind(messageId: String, roomKey: String?) async -> CommandResult {
        let room = roomKey ?? "__global__"
        await stop(roomKey: room)
        sessions.set(room, nil)
        return CommandResult(success: true, message: "Session reset")
    }

    public func setPermissionLevel(_ level: PermissionLevel) async { state.withLock { $0.level = level } }
    public func permissionLevel() async -> PermissionLevel { state.current.level }
}
