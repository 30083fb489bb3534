import Foundation

/// Claude Code driven as the `claude` CLI in stream-json mode (agent-cli.md §12.3): one process
/// per query, NDJSON both ways, tool approvals and hooks as control requests on stdout.
/// Rooms run in parallel; each room has its own settings and resumable session (§12.7).
public final class ClaudeCodeAdapter: AgentAdapter, @unchecked Sendable {
    public let type = "claude-code"
    public let options: AdapterOptions
    public let supportsParallelRooms = true
    public let supportsRewind = true

    public static let allowedTools = ["Read", "Write", "Edit", "Bash", "Glob", "Grep", "WebSearch", "WebFetch"]
    public static let defaultModels = ["sonnet", "opus", "haiku", "claude-sonnet-4-6", "claude-opus-4-6", "claude-haiku-4-5-20251001"]
    public static let hookEvents = ["SubagentStart", "SubagentStop", "Notification", "TaskCompleted", "PostToolUse",
                                    "Elicitation", "ElicitationResult", "SessionStart", "SessionEnd"]

    struct RoomSettings {
        var model: String?
        var thinking: String?          // adaptive | enabled | disabled
        var thinkingBudget: Int?
        var effort: String?
        var planMode = false
        var maxBudgetUsd: Double?
        var maxTurns: Int?
        var sandbox = false
        var checkpoint = false
        var toolUses = 0
    }
    struct ModelUsage { var model: String; var contextWindow: Int; var maxOutputTokens: Int; var costUSD: Double; var inputTokens: Int; var outputTokens: Int; var cacheReadInputTokens: Int }
    struct State {
        var level: PermissionLevel
        var rooms: [String: RoomSettings] = [:]
        var running: [String: ClaudeRun] = [:]
        var cost = CostSummary()
        var lastModelUsage: [ModelUsage] = []
        var disposed = false
    }

    let state: Locked<State>
    let sessions: RoomSessionFile
    let scrubber: SecretScrubber
    let mcpServer: MCPToolServer
    /// Tuning variables (§4, Q18): the process environment under the adapter's own env.
    let tuning: [String: String]

    public init(options: AdapterOptions) {
        self.options = options
        self.sessions = RoomSessionFile(workingDirectory: options.workingDirectory, relativePath: ".claude/.agentim-sessions.json")
        self.scrubber = SecretScrubber.forAdapter(options)
        self.mcpServer = MCPToolServer(context: options.toolContext)
        self.tuning = options.tuningEnvironment
        self.state = Locked(State(level: options.permissionLevel))
    }

    func settings(_ room: String) -> RoomSettings {
        state.withLock { s in
            if let existing = s.rooms[room] { return existing }
            var fresh = RoomSettings()
            fresh.sandbox = tuning["ANTHROPIC_SANDBOX"] == "true"
            fresh.checkpoint = tuning["CLAUDE_FILE_CHECKPOINT"] == "true"
            s.rooms[room] = fresh
            return fresh
        }
    }

    func updateSettings(_ room: String, _ change: (inout RoomSettings) -> Void) {
        _ = settings(room)
        state.withLock { s in change(&s.rooms[room]!) }
    }

    // MARK: send

    public func send(_ prompt: String, context: MessageContext, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> ReplyOutcome {
        let room = context.roomKey
        let scrubbed: @Sendable (AgentChunk) async -> Void = { [scrubber] chunk in await onChunk(scrubber.scrub(chunk)) }
        let resume = sessions.get(room)
        var outcome = await runOnce(prompt: prompt, room: room, resume: resume, onChunk: scrubbed)
        // Only a CLI that exited on its own is a stale-session suspect; a timeout is not retried.
        if case .threw(let message) = outcome, resume != nil, message.hasPrefix("Claude Code process exited") {
            // A stale session makes the CLI exit 1: forget it and try once without resuming (§12.6).
            sessions.set(room, nil)
            outcome = await runOnce(prompt: prompt, room: room, resume: nil, onChunk: scrubbed)
        }
        switch outcome {
        case .busy: return .failed("Agent is already processing a message")
        case .done(let text): return .complete(fullContent: scrubber.scrub(text))
        case .threw(let message): return .failed(scrubber.scrub(message))
        }
    }

    enum RunOutcome { case busy, done(String), threw(String) }

    func runOnce(prompt: String, room: String, resume: String?, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> RunOutcome {
        let room_ = settings(room)
        let level = state.current.level
        let args = arguments(room: room_, level: level, resume: resume)
        var overlay = options.environment
        if room_.checkpoint { overlay["CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING"] = "true" }
        let env = SafeEnvironment.build(passEnv: options.passEnv, overlay: overlay)
        let run = ClaudeRun(adapter: self, room: room, onChunk: onChunk)
        let claimed = state.withLock { s -> Bool in
            guard s.running[room] == nil, !s.disposed else { return false }
            s.running[room] = run
            return true
        }
        guard claimed else { return .busy }
        defer { state.withLock { s in if s.running[room] === run { s.running[room] = nil } } }
        let executable = tuning.nonEmpty("AGENTIM_CLAUDE_BIN") ?? "claude"
        return await run.execute(executable: executable, arguments: args, environment: env, prompt: prompt,
                                 timeouts: options.timeouts ?? ProcessTimeouts.fromEnvironment())
    }

    func arguments(room: RoomSettings, level: PermissionLevel, resume: String?) -> [String] {
        var args = ["--output-format", "stream-json", "--verbose", "--input-format", "stream-json",
                    "--allowedTools", Self.allowedTools.joined(separator: ",")]
        if room.planMode {
            args += ["--permission-mode", "plan"]
        } else if level == .bypass {
            args += ["--permission-mode", "bypassPermissions", "--allow-dangerously-skip-permissions"]
        } else {
            args += ["--permission-mode", "default"]
        }
        // Approvals always come to us as control requests; the level is consulted per request (Q19).
        if level == .interactive || room.planMode { args += ["--permission-prompt-tool", "stdio"] }
        if let resume { args.append("--resume=\(resume)") }
        if let model = room.model { args += ["--model", model] }
        if let fallback = tuning["CLAUDE_FALLBACK_MODEL"], !fallback.isEmpty { args += ["--fallback-model", fallback] }
        if let effort = room.effort { args += ["--effort", effort] }
        if let turns = room.maxTurns { args += ["--max-turns", String(turns)] }
        if let budget = room.maxBudgetUsd { args += ["--max-budget-usd", String(budget)] }
        if tuning["CLAUDE_ENABLE_1M_CONTEXT"] == "true" { args += ["--betas", "context-1m-2025-08-07"] }
        for dir in (tuning["CLAUDE_ADDITIONAL_DIRS"] ?? "").split(separator: ":") where !dir.isEmpty { args += ["--add-dir", String(dir)] }
        if room.sandbox { args += ["--settings", #"{"sandbox":{"enabled":true,"autoAllowBashIfSandboxed":true}}"#] }
        args += ["--mcp-config", #"{"mcpServers":{"agentim":{"type":"sdk","name":"agentim"}}}"#]
        switch room.thinking {
        case "enabled": if let budget = room.thinkingBudget { args += ["--max-thinking-tokens", String(budget)] }
        case "disabled": args += ["--max-thinking-tokens", "0"]
        default: break
        }
        return args
    }

    // MARK: stop / dispose

    public func stop() async {
        let runs = state.withLock { Array($0.running.values) }
        for run in runs { await run.interrupt() }
    }

    /// Interrupts one room; other rooms keep running and every session is kept (§27).
    public func stop(roomKey: String) async {
        let run = state.withLock { $0.running[roomKey] }
        await run?.interrupt()
    }

    public func dispose() async {
        let runs = state.withLock { s -> [ClaudeRun] in
            s.disposed = true
            let all = Array(s.running.values)
            s.rooms = [:]
            return all
        }
        for run in runs { run.kill() }
    }

    public func isRoomBusy(_ roomKey: String) async -> Bool { state.current.running[roomKey] != nil }
    public var isRunning: Bool { get async { !state.current.running.isEmpty } }

    // MARK: results

    func record(result message: [String: Any]) {
        state.withLock { s in
            s.cost.costUSD += (message["total_cost_usd"] as? NSNumber)?.doubleValue ?? 0
            let usage = message["usage"] as? [String: Any] ?? [:]
            s.cost.inputTokens += (usage["input_tokens"] as? NSNumber)?.intValue ?? 0
            s.cost.outputTokens += (usage["output_tokens"] as? NSNumber)?.intValue ?? 0
            guard message["subtype"] as? String == "success", let models = message["modelUsage"] as? [String: Any] else { return }
            var list: [ModelUsage] = []
            for (name, value) in models.sorted(by: { $0.key < $1.key }) {
                guard let u = value as? [String: Any] else { continue }
                func int(_ key: String) -> Int { (u[key] as? NSNumber)?.intValue ?? 0 }
                let entry = ModelUsage(model: name, contextWindow: int("contextWindow"), maxOutputTokens: int("maxOutputTokens"),
                                       costUSD: (u["costUSD"] as? NSNumber)?.doubleValue ?? 0, inputTokens: int("inputTokens"),
                                       outputTokens: int("outputTokens"), cacheReadInputTokens: int("cacheReadInputTokens"))
                s.cost.cacheReadTokens += entry.cacheReadInputTokens
                list.append(entry)
            }
            s.lastModelUsage = list
        }
    }

    // MARK: info

    public func info(roomKey: String?) async -> AdapterInfo {
        let room = settings(roomKey ?? "__global__")
        var info = AdapterInfo()
        info.slashCommands = slashCommands()
        info.mcpServers = mcpServerNames()
        info.model = model(for: room)
        info.thinkingMode = room.thinking.map { $0 == "enabled" && room.thinkingBudget != nil ? "enabled:\(room.thinkingBudget!)" : $0 }
        info.effortLevel = room.effort
        info.planMode = room.planMode
        info.availableModels = Self.defaultModels
        info.availableEffortLevels = ["low", "medium", "high"]
        info.availableThinkingModes = ["adaptive", "enabled", "disabled"]
        info.cost = state.current.cost
        return info
    }

    func model(for room: RoomSettings) -> String? {
        if let model = room.model { return model }
        if let model = tuning["ANTHROPIC_MODEL"], !model.isEmpty { return model }
        if let model = tuning["CLAUDE_MODEL"], !model.isEmpty { return model }
        return nil
    }

    public func waitForModels(milliseconds: Int) async {}

    public func slashCommands() -> [SlashCommand] {
        var list = [
            SlashCommand(name: "clear", description: "Clear the conversation session", usage: "/clear", source: "builtin"),
            SlashCommand(name: "compact", description: "Compact the conversation (resets the session)", usage: "/compact", source: "builtin"),
            SlashCommand(name: "model", description: "Show or set the model", usage: "/model [name]", source: "builtin"),
            SlashCommand(name: "think", description: "Thinking mode: adaptive, enabled[:budget], disabled", usage: "/think [mode]", source: "builtin"),
            SlashCommand(name: "effort", description: "Effort level: low, medium, high", usage: "/effort [level]", source: "builtin"),
            SlashCommand(name: "cost", description: "Show cost and token usage", usage: "/cost", source: "builtin"),
            SlashCommand(name: "context", description: "Show context window usage", usage: "/context", source: "builtin"),
            SlashCommand(name: "plan", description: "Toggle plan mode", usage: "/plan [on|off]", source: "builtin"),
            SlashCommand(name: "budget", description: "Show or set the maximum budget in USD", usage: "/budget [amount]", source: "builtin"),
            SlashCommand(name: "turns", description: "Show or set the maximum number of turns", usage: "/turns [count]", source: "builtin"),
            SlashCommand(name: "sandbox", description: "Toggle the sandbox", usage: "/sandbox [on|off]", source: "builtin"),
            SlashCommand(name: "checkpoint", description: "Toggle file checkpointing", usage: "/checkpoint [on|off]", source: "builtin"),
            SlashCommand(name: "rewind", description: "Rewind files to a message", usage: "/rewind <messageId>", source: "builtin"),
        ]
        let dir = URL(fileURLWithPath: options.workingDirectory).appendingPathComponent(".claude/commands")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for file in files.sorted() where file.hasSuffix(".md") {
            let name = String(file.dropLast(3))
            guard !name.isEmpty else { continue }
            list.append(SlashCommand(name: name, description: "Custom command", usage: "/\(name)", source: "skill"))
        }
        return list
    }

    func mcpServerNames() -> [String] {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        let files = ["\(options.workingDirectory)/.claude/settings.json", "\(options.workingDirectory)/.claude.json",
                     "\(home)/.claude/settings.json", "\(home)/.claude.json"]
        var names = Set<String>()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file),
                  let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let servers = object["mcpServers"] as? [String: Any] else { continue }
            names.formUnion(servers.keys)
        }
        return names.sorted()
    }

    public func setPermissionLevel(_ level: PermissionLevel) async { state.withLock { $0.level = level } }
    public func permissionLevel() async -> PermissionLevel { state.current.level }

    public func rewind(messageId: String, roomKey: String?) async -> CommandResult {
        let room = roomKey ?? "__global__"
        await stop(roomKey: room)
        sessions.set(room, nil)
        return CommandResult(success: true, message: "Session reset")
    }
}
