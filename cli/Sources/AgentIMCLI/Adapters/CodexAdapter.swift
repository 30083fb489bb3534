import Foundation

/// Codex through `codex app-server` JSON-RPC (§13): one long-lived app-server per room, a thread
/// per room (persisted), a turn per message; approvals go through the permission bridge.
public final class CodexAdapter: AgentAdapter, @unchecked Sendable {
    public let type = "codex"
    public let options: AdapterOptions
    public let supportsParallelRooms = true
    public let supportsRewind = false

    public static let defaultModel = "codex-mini-latest"
    public static let effortLevels = ["minimal", "low", "medium", "high", "xhigh"]
    public static let roomCommunicationBlock = """
    [AgentIM Room Communication]
    You share this room with other agents and users. When the tools send_message, request_reply, get_room_messages and list_room_members are available, use them to talk to other agents and to read the room. Otherwise address an agent as @AgentName in your reply and the room routes the message to it.
    """

    struct RoomSettings {
        var model: String?
        var effort: String?
        var sandbox: String?
        var webSearch: String?
        var network: Bool?
        var planMode = false
    }

    /// The reply being produced in a room.
    final class PendingReply: @unchecked Sendable {
        let onChunk: @Sendable (AgentChunk) async -> Void
        let content = Locked("")
        private struct Waiting { var continuation: CheckedContinuation<ReplyOutcome, Never>?; var outcome: ReplyOutcome?; var done = false }
        private let waiting = Locked(Waiting())
        init(onChunk: @escaping @Sendable (AgentChunk) async -> Void) { self.onChunk = onChunk }

        func wait() async -> ReplyOutcome {
            await withCheckedContinuation { cont in
                let ready = waiting.withLock { w -> ReplyOutcome? in
                    if let outcome = w.outcome { return outcome }
                    w.continuation = cont
                    return nil
                }
                if let ready { cont.resume(returning: ready) }
            }
        }
        /// Completes once; later calls are ignored (§10.3: callbacks honoured once).
        func finish(_ outcome: ReplyOutcome) {
            let cont = waiting.withLock { w -> CheckedContinuation<ReplyOutcome, Never>? in
                guard !w.done else { return nil }
                w.done = true
                w.outcome = outcome
                defer { w.continuation = nil }
                return w.continuation
            }
            cont?.resume(returning: outcome)
        }
        var isDone: Bool { waiting.current.done }
    }

    final class Room: @unchecked Sendable {
        var server: CodexAppServer?
        var threadId: String?
        var turnId: String?
        var reply: PendingReply?
        var busy = false
        var settings = RoomSettings()
    }

    struct State {
        var level: PermissionLevel
        var rooms: [String: Room] = [:]
        var allowedForSession: Set<String> = []
        var cost = CostSummary()
        var disposed = false
    }

    let state: Locked<State>
    let threads: RoomSessionFile
    let scrubber: SecretScrubber
    let tuning: [String: String]

    public init(options: AdapterOptions) {
        self.options = options
        self.threads = RoomSessionFile(workingDirectory: options.workingDirectory, relativePath: ".codex/.agentim-threads.json")
        self.scrubber = SecretScrubber.forAdapter(options)
        self.tuning = options.tuningEnvironment
        self.state = Locked(State(level: options.permissionLevel))
    }

    func room(_ key: String) -> Room {
        state.withLock { s in
            if let room = s.rooms[key] { return room }
            let room = Room()
            room.threadId = threads.get(key)
            s.rooms[key] = room
            return room
        }
    }

    // MARK: send

    public func send(_ prompt: String, context: MessageContext, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> ReplyOutcome {
        let key = context.roomKey
        let room = room(key)
        let reply = PendingReply { [scrubber] chunk in await onChunk(scrubber.scrub(chunk)) }
        let claimed = state.withLock { s -> Bool in
            guard !room.busy, !s.disposed else { return false }
            room.busy = true
            room.reply = reply
            return true
        }
        guard claimed else { return .failed("Agent is already processing a message") }
        defer { state.withLock { _ in room.busy = false; if room.reply === reply { room.reply = nil; room.turnId = nil } } }

        let text = Self.roomCommunicationBlock + "\n\n" + prompt
        Task {
            do {
                let server = try await self.ensureServer(key, room)
                let threadId = try await self.ensureThread(key, room, server)
                guard !reply.isDone else { return }
                let result: [String: Any]
                do {
                    result = try await server.request("turn/start", ["threadId": threadId, "input": [["type": "text", "text": text]]])
                } catch where room.threadId != nil && "\(error)".lowercased().contains("thread") {
                    // An unknown thread (e.g. lost by the app-server): start a new one once.
                    self.setThread(key, room, nil)
                    let fresh = try await self.ensureThread(key, room, server)
                    result = try await server.request("turn/start", ["threadId": fresh, "input": [["type": "text", "text": text]]])
                }
                let turnId = (result["turn"] as? [String: Any])?["id"] as? String
                self.state.withLock { _ in if room.reply === reply { room.turnId = turnId } }
            } catch {
                reply.finish(.failed(self.scrubber.scrub("\(error)")))
            }
        }
        let outcome = await reply.wait()
        if case .complete(let full) = outcome { return .complete(fullContent: scrubber.scrub(full)) }
        return outcome
    }

    func ensureServer(_ key: String, _ room: Room) async throws -> CodexAppServer {
        if let server = state.withLock({ _ in room.server }), !server.hasExited { return server }
        let env = SafeEnvironment.build(passEnv: options.passEnv, overlay: options.environment)
        let executable = tuning.nonEmpty("AGENTIM_CODEX_BIN") ?? "codex"
        let server = try CodexAppServer(
            executable: executable, environment: env, workingDirectory: options.workingDirectory,
            onRequest: { [weak self] method, params in await self?.serverRequest(key, method, params) ?? [:] },
            onNotification: { [weak self] method, params in await self?.notification(key, room, method, params) },
            onExit: { [weak self] exit in self?.serverExited(key, room, exit) })
        try server.start()
        state.withLock { _ in room.server = server }
        _ = try await server.request("initialize", ["clientInfo": ["name": "agentim", "version": "0.1.0"]])
        await server.notify("initialized")
        // A thread id from a previous process must be resumed on this fresh app-server (Q7).
        if let thread = room.threadId {
            do {
                _ = try await server.request("thread/resume", ["threadId": thread])
            } catch {
                setThread(key, room, nil)
            }
        }
        return server
    }

    func ensureThread(_ key: String, _ room: Room, _ server: CodexAppServer) async throws -> String {
        if let thread = state.withLock({ _ in room.threadId }) { return thread }
        let settings = state.withLock { _ in room.settings }
        let level = state.current.level
        var params: [String: Any] = ["cwd": options.workingDirectory, "approvalPolicy": level == .bypass ? "never" : "on-request"]
        if let model = settings.model ?? tuning.nonEmpty("CODEX_MODEL") { params["model"] = model }
        if let effort = settings.effort { params["reasoningEffort"] = effort }
        if let sandbox = settings.sandbox { params["sandbox"] = sandbox }
        if let network = settings.network { params["networkAccessEnabled"] = network }
        if let web = settings.webSearch { params["webSearchMode"] = web }
        let dirs = (tuning["CODEX_ADDITIONAL_DIRS"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        if !dirs.isEmpty { params["additionalDirectories"] = dirs }
        let result = try await server.request("thread/start", params)
        guard let thread = (result["thread"] as? [String: Any])?["id"] as? String, !thread.isEmpty else {
            throw CodexAppServer.RPCError(description: "Codex did not return a thread id")
        }
        setThread(key, room, thread)
        return thread
    }

    func setThread(_ key: String, _ room: Room, _ thread: String?) {
        state.withLock { _ in room.threadId = thread }
        threads.set(key, thread)
    }

    /// Q6: an app-server that dies mid-turn ends the reply with an error.
    func serverExited(_ key: String, _ room: Room, _ exit: ProcessExit) {
        let reply = state.withLock { _ -> PendingReply? in
            room.server = nil
            return room.reply
        }
        reply?.finish(.failed("Codex app-server exited (code=\(exit.signaled ? "signal \(exit.code)" : String(exit.code)))"))
    }

    // MARK: notifications (§13.5)

    func notification(_ key: String, _ room: Room, _ method: String, _ params: [String: Any]) async {
        if method == "codex/event/token_count" {
            let usage = (((params["msg"] as? [String: Any])?["info"] as? [String: Any])?["total_token_usage"] as? [String: Any]) ?? [:]
            state.withLock { s in
                s.cost.inputTokens = (usage["input_tokens"] as? NSNumber)?.intValue ?? s.cost.inputTokens
                s.cost.outputTokens = (usage["output_tokens"] as? NSNumber)?.intValue ?? s.cost.outputTokens
                s.cost.cacheReadTokens = (usage["cached_input_tokens"] as? NSNumber)?.intValue ?? s.cost.cacheReadTokens
            }
            return
        }
        guard let reply = state.withLock({ _ in room.reply }), !reply.isDone else { return }
        let item = params["item"] as? [String: Any] ?? [:]
        let itemType = item["type"] as? String ?? ""
        let itemId = item["id"] as? String ?? ""
        switch method {
        case "item/agentMessage/delta":
            guard let delta = params["delta"] as? String, !delta.isEmpty else { return }
            reply.content.withLock { $0 += delta }
            await reply.onChunk(AgentChunk(.text, delta))
        case "item/started":
            if itemType == "commandExecution" {
                await reply.onChunk(AgentChunk(.toolUse, "$ \(Self.commandText(item["command"]))", metadata: ["toolName": "command", "toolId": itemId]))
            }
        case "item/completed":
            switch itemType {
            case "commandExecution":
                if let output = item["aggregatedOutput"] as? String, !output.isEmpty {
                    await reply.onChunk(AgentChunk(.toolResult, output, metadata: ["toolId": itemId]))
                }
            case "fileChange":
                let changes = item["changes"] as? [[String: Any]] ?? []
                if !changes.isEmpty {
                    let lines = changes.map { "\($0["kind"] as? String ?? (($0["kind"] as? [String: Any])?["type"] as? String) ?? "change"): \($0["path"] as? String ?? "")" }
                    await reply.onChunk(AgentChunk(.toolResult, lines.joined(separator: "\n"), metadata: ["toolId": itemId]))
                }
            case "agentMessage":
                guard let text = item["text"] as? String, !text.isEmpty else { return }
                let head = String(text.prefix(50))
                let missed = reply.content.withLock { content -> Bool in
                    if content.contains(head) { return false }
                    content += text
                    return true
                }
                if missed { await reply.onChunk(AgentChunk(.text, text)) }
            case "mcpToolCall":
                let server = item["server"] as? String ?? ""
                let tool = item["tool"] as? String ?? ""
                let body: [String: Any] = ["server": server, "tool": tool, "arguments": item["arguments"] ?? [String: Any]()]
                await reply.onChunk(AgentChunk(.toolUse, AdapterText.prettyJSON(body), metadata: ["toolName": "\(server):\(tool)", "toolId": itemId]))
            case "webSearch":
                await reply.onChunk(AgentChunk(.toolUse, "Web search: \(item["query"] as? String ?? "")", metadata: ["toolName": "web_search", "toolId": itemId]))
            case "error":
                let message = (item["message"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "Unknown error"
                await reply.onChunk(AgentChunk(.error, message))
            default:
                break
            }
        case "turn/completed", "codex/event/task_complete":
            reply.finish(.complete(fullContent: reply.content.current))
        default:
            break
        }
    }

    static func commandText(_ value: Any?) -> String {
        if let text = value as? String { return text }
        if let parts = value as? [String] { return parts.joined(separator: " ") }
        return ""
    }

    // MARK: approvals (§13.4)

    func serverRequest(_ key: String, _ method: String, _ params: [String: Any]) async -> [String: Any] {
        switch method {
        case "item/commandExecution/requestApproval":
            var input: [String: Any] = ["command": params["command"] ?? NSNull(), "cwd": params["cwd"] ?? NSNull()]
            if let actions = params["commandActions"] { input["commandActions"] = actions }
            return ["decision": await approve(kind: "command", toolName: "Bash", input: input, roomKey: key)]
        case "item/fileChange/requestApproval":
            let input: [String: Any] = ["path": params["path"] ?? NSNull(), "changes": params["changes"] ?? NSNull()]
            return ["decision": await approve(kind: "fileChange", toolName: "Write", input: input, roomKey: key)]
        case "item/tool/requestUserInput":
            return ["answers": [Any]()]
        default:
            return [:]
        }
    }

    func approve(kind: String, toolName: String, input: [String: Any], roomKey: String) async -> String {
        let (level, remembered) = state.withLock { ($0.level, $0.allowedForSession.contains(kind)) }
        if level == .bypass || remembered { return "accept" }
        guard let handler = options.permissionHandler else { return "cancel" }
        let ask = PermissionAsk(requestId: UUID().uuidString.lowercased(), toolName: toolName, toolInputJSON: AdapterText.json(input),
                                timeoutMs: 300_000, roomId: roomKey == "__global__" ? nil : roomKey)
        let answer = await handler(ask)
        switch answer.decision {
        case .allow: return "accept"
        case .allowAlways:
            state.withLock { _ = $0.allowedForSession.insert(kind) }
            return "acceptForSession"
        case .deny: return "cancel"
        }
    }

    // MARK: stop / dispose (§13.9)

    public func stop() async {
        let keys = state.withLock { Array($0.rooms.keys) }
        for key in keys { await stop(roomKey: key) }
    }

    /// Interrupts the room's turn and completes its reply at once with the text so far.
    public func stop(roomKey: String) async {
        guard let room = state.withLock({ $0.rooms[roomKey] }) else { return }
        let (server, thread, turn, reply) = state.withLock { _ in (room.server, room.threadId, room.turnId, room.reply) }
        if let server, let thread, reply != nil {
            var params: [String: Any] = ["threadId": thread]
            if let turn { params["turnId"] = turn }
            let frame = params
            Task { _ = try? await server.request("turn/interrupt", frame) }
        }
        if let reply {
            let content = reply.content.current
            reply.finish(.complete(fullContent: content.isEmpty ? "Interrupted" : content))
        }
    }

    public func dispose() async {
        let rooms = state.withLock { s -> [Room] in
            s.disposed = true
            let all = Array(s.rooms.values)
            s.rooms = [:]
            return all
        }
        for room in rooms {
            room.reply?.finish(.failed("Agent disposed"))
            room.server?.kill()
        }
    }

    public func isRoomBusy(_ roomKey: String) async -> Bool { state.withLock { $0.rooms[roomKey]?.busy ?? false } }
    public var isRunning: Bool { get async { state.withLock { $0.rooms.values.contains { $0.busy } } } }

    // MARK: info

    public func info(roomKey: String?) async -> AdapterInfo {
        let settings = room(roomKey ?? "__global__").settings
        var info = AdapterInfo()
        info.slashCommands = Self.slashCommands
        info.model = settings.model ?? tuning.nonEmpty("CODEX_MODEL") ?? Self.defaultModel
        info.effortLevel = settings.effort
        info.planMode = settings.planMode
        info.availableModels = [Self.defaultModel]
        info.availableEffortLevels = Self.effortLevels
        info.cost = state.current.cost
        return info
    }

    public static let slashCommands = [
        SlashCommand(name: "clear", description: "Clear the thread", usage: "/clear", source: "builtin"),
        SlashCommand(name: "model", description: "Show or set the model", usage: "/model [name]", source: "builtin"),
        SlashCommand(name: "effort", description: "Reasoning effort: minimal, low, medium, high, xhigh", usage: "/effort [level]", source: "builtin"),
        SlashCommand(name: "sandbox", description: "Sandbox: read-only, workspace-write, danger-full-access", usage: "/sandbox [mode]", source: "builtin"),
        SlashCommand(name: "websearch", description: "Web search: disabled, cached, live", usage: "/websearch [mode]", source: "builtin"),
        SlashCommand(name: "network", description: "Network access on or off", usage: "/network [on|off]", source: "builtin"),
        SlashCommand(name: "plan", description: "Toggle plan mode", usage: "/plan [on|off]", source: "builtin"),
        SlashCommand(name: "cost", description: "Show token usage", usage: "/cost", source: "builtin"),
    ]

    public func waitForModels(milliseconds: Int) async {}

    /// Settings that change the thread: forget the thread and stop the room's app-server.
    func restartThread(_ key: String, _ room: Room) {
        let server = state.withLock { _ -> CodexAppServer? in
            defer { room.server = nil; room.turnId = nil }
            return room.server
        }
        setThread(key, room, nil)
        server?.kill()
    }

    public func handleSlashCommand(_ command: String, args rawArgs: String, roomKey: String?) async -> CommandResult {
        let key = roomKey ?? "__global__"
        let room = room(key)
        let args = rawArgs.trimmingCharacters(in: .whitespaces)
        let current = state.withLock { _ in room.settings }
        func choose(_ name: String, _ allowed: [String], _ value: String?, _ apply: (inout RoomSettings, String) -> Void) -> CommandResult {
            if args.isEmpty { return CommandResult(success: true, message: "\(name): \(value ?? "(default)")") }
            let lowered = args.lowercased()
            guard allowed.contains(lowered) else { return CommandResult(success: false, message: "Invalid \(name.lowercased()): \(args). Use \(allowed.joined(separator: ", "))") }
            state.withLock { _ in apply(&room.settings, lowered) }
            restartThread(key, room)
            return CommandResult(success: true, message: "\(name) set to \(lowered). The thread will restart with the next message.")
        }
        switch command {
        case "clear":
            restartThread(key, room)
            return CommandResult(success: true, message: "Thread cleared")
        case "model":
            if args.isEmpty { return CommandResult(success: true, message: "Current model: \(current.model ?? tuning.nonEmpty("CODEX_MODEL") ?? Self.defaultModel)") }
            state.withLock { _ in room.settings.model = args }
            restartThread(key, room)
            return CommandResult(success: true, message: "Model set to \(args). The thread will restart with the next message.")
        case "effort":
            return choose("Effort", Self.effortLevels, current.effort) { $0.effort = $1 }
        case "sandbox":
            return choose("Sandbox", ["read-only", "workspace-write", "danger-full-access"], current.sandbox) { $0.sandbox = $1 }
        case "websearch":
            return choose("Web search", ["disabled", "cached", "live"], current.webSearch) { $0.webSearch = $1 }
        case "network":
            if args.isEmpty { return CommandResult(success: true, message: "Network access: \(current.network.map { $0 ? "on" : "off" } ?? "(default)")") }
            let on = parseToggle(args, current: current.network ?? false)
            state.withLock { _ in room.settings.network = on }
            restartThread(key, room)
            return CommandResult(success: true, message: "Network access: \(on ? "on" : "off"). The thread will restart with the next message.")
        case "plan":
            let on = parseToggle(args, current: current.planMode)
            state.withLock { _ in room.settings.planMode = on }
            return CommandResult(success: true, message: "Plan mode: \(on ? "on" : "off")")
        case "cost":
            let cost = state.current.cost
            return CommandResult(success: true, message: "Input tokens: \(cost.inputTokens)\nOutput tokens: \(cost.outputTokens)\nCached input tokens: \(cost.cacheReadTokens)")
        default:
            return CommandResult(success: false, message: "Unknown command: \(command)")
        }
    }

    public func rewind(messageId: String, roomKey: String?) async -> CommandResult { .unsupported }
    public func setPermissionLevel(_ level: PermissionLevel) async { state.withLock { $0.level = level } }
    public func permissionLevel() async -> PermissionLevel { state.current.level }
}
