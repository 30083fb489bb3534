import Foundation

/// One `claude` process answering one message (§12.3–§12.6).
final class ClaudeRun: @unchecked Sendable {
    unowned let adapter: ClaudeCodeAdapter
    let room: String
    let onChunk: @Sendable (AgentChunk) async -> Void

    private struct State {
        var child: ChildProcess?
        var aborted = false
        var content = ""
        var sawTextDelta = false
        var sawResult = false
        var stderr = StderrTail()
        var timeoutReason: String?
        var nextRequest = 0
        var pendingControl: [String: CheckedContinuation<[String: Any]?, Never>] = [:]
    }
    private let state = Locked(State())
    private var watchdog: Watchdog?

    init(adapter: ClaudeCodeAdapter, room: String, onChunk: @escaping @Sendable (AgentChunk) async -> Void) {
        self.adapter = adapter
        self.room = room
        self.onChunk = onChunk
    }

    func execute(executable: String, arguments: [String], environment: [String: String], prompt: String,
                 timeouts: ProcessTimeouts) async -> ClaudeCodeAdapter.RunOutcome {
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                     workingDirectory: adapter.options.workingDirectory, pipeStdin: true)
            try child.start()
        } catch {
            return .done("").asFailure("\(error)")
        }
        state.withLock { $0.child = child }
        let watchdog = Watchdog(timeouts: timeouts) { [weak self] reason in
            self?.state.withLock { s in
                s.timeoutReason = reason == .inactivity ? "Process timed out" : "Process exceeded absolute timeout (\(AdapterText.minutes(timeouts.absoluteMs)) minutes)"
            }
            child.terminate()
        }
        self.watchdog = watchdog
        watchdog.start()
        defer { watchdog.cancel() }

        let hooks = Dictionary(uniqueKeysWithValues: ClaudeCodeAdapter.hookEvents.map { ($0, [["matcher": NSNull(), "hookCallbackIds": ["hook_\($0)"]]]) })
        let initialize: [String: Any] = ["type": "control_request", "request_id": "init_1", "request": ["subtype": "initialize", "hooks": hooks]]
        let user: [String: Any] = ["type": "user", "session_id": "", "parent_tool_use_id": NSNull(),
                                   "message": ["role": "user", "content": prompt]]
        Task {
            try? await child.writeLine(AdapterText.json(initialize))
            try? await child.writeLine(AdapterText.json(user))
        }

        var splitter = LineSplitter()
        var stderrDecoder = UTF8ChunkDecoder()
        var tooLong = false
        for await event in child.output {
            watchdog.touch()
            switch event {
            case .stdout(let data):
                guard !tooLong else { continue }
                do {
                    for line in try splitter.feed(data) where !line.isEmpty { await handle(line: line, child: child) }
                } catch {
                    tooLong = true
                    state.withLock { $0.timeoutReason = "Response too large" }
                    child.terminate()
                }
            case .stderr(let data):
                let text = stderrDecoder.decode(data)
                state.withLock { $0.stderr.append(StderrRedactor.redact(text)) }
            }
        }
        if !tooLong, let last = splitter.finish(), !last.isEmpty { await handle(line: last, child: child) }
        let exit = await child.waitForExit()
        failPendingControls()
        let s = state.current
        if s.aborted { return .done(s.content.isEmpty ? "Interrupted" : s.content) }
        if let reason = s.timeoutReason { return .threw(reason) }
        if s.sawResult || (exit.code == 0 && !exit.signaled) { return .done(s.content) }
        var message = exit.signaled ? "Claude Code process killed by signal \(exit.code)" : "Claude Code process exited with code \(exit.code)"
        let tail = s.stderr.text
        if !tail.isEmpty { message += "\n[stderr]: \(tail)" }
        if Self.isAuthError(message) {
            message += "\nAuthentication failed: run `claude login` (or `aim claude token` to update the stored credential)."
        }
        return .threw(message)
    }

    static func isAuthError(_ text: String) -> Bool {
        text.contains("authentication_error") || text.contains("OAuth token has expired") || text.contains("Failed to authenticate")
            || text.range(of: "API Error: 401", options: .regularExpression) != nil
    }

    // MARK: stdout messages (§12.4)

    func handle(line: String, child: ChildProcess) async {
        guard let message = AdapterText.parseObject(line), let type = message["type"] as? String else { return }
        switch type {
        case "control_request":
            let requestId = message["request_id"] as? String ?? ""
            let request = message["request"] as? [String: Any] ?? [:]
            // Answered off the read loop: a permission can wait minutes while output keeps flowing.
            Task { await self.answer(requestId: requestId, request: request, child: child) }
        case "control_response":
            let response = message["response"] as? [String: Any] ?? [:]
            if let id = response["request_id"] as? String {
                let waiter = state.withLock { $0.pendingControl.removeValue(forKey: id) }
                waiter?.resume(returning: response)
            }
        case "system":
            await handleSystem(message)
        case "assistant":
            let blocks = (message["message"] as? [String: Any])?["content"] as? [[String: Any]] ?? []
            for block in blocks { await handle(block: block, fromAssistant: true) }
        case "user":
            // Tool results come back in user messages; the original dropped them (Q5), we show them.
            let blocks = (message["message"] as? [String: Any])?["content"] as? [[String: Any]] ?? []
            for block in blocks where block["type"] as? String == "tool_result" { await handle(block: block, fromAssistant: false) }
        case "stream_event":
            let delta = (message["event"] as? [String: Any])?["delta"] as? [String: Any] ?? [:]
            if delta["type"] as? String == "text_delta", let text = delta["text"] as? String {
                state.withLock { $0.content += text; $0.sawTextDelta = true }
                await onChunk(AgentChunk(.text, text))
            } else if delta["type"] as? String == "thinking_delta", let text = delta["thinking"] as? String {
                await onChunk(AgentChunk(.thinking, text))
            }
        case "result":
            state.withLock { $0.sawResult = true }
            adapter.record(result: message)
            // The query is over: closing stdin lets the CLI exit.
            child.closeStdin()
        case "rate_limit_event":
            let info = message["rate_limit_info"] as? [String: Any] ?? [:]
            let status = info["status"] as? String ?? ""
            guard status == "rejected" || status == "allowed_warning" else { return }
            let kind = info["rateLimitType"] as? String ?? "unknown"
            var resets = "unknown"
            if let at = (info["resetsAt"] as? NSNumber)?.doubleValue {
                resets = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: at))
            }
            await onChunk(AgentChunk(.text, "[Rate limit \(status): \(kind), resets at \(resets)]", metadata: ["rateLimit": "true"]))
        case "prompt_suggestion":
            if let suggestion = message["suggestion"] as? String {
                await onChunk(AgentChunk(.text, "", metadata: ["promptSuggestion": suggestion]))
            }
        default:
            break
        }
    }

    func handleSystem(_ message: [String: Any]) async {
        let subtype = message["subtype"] as? String ?? ""
        let taskId = message["task_id"] as? String ?? ""
        switch subtype {
        case "init":
            if let session = message["session_id"] as? String, !session.isEmpty { adapter.sessions.set(room, session) }
        case "task_started":
            await onChunk(AgentChunk(.text, "[Task started: \(message["description"] as? String ?? "")]", metadata: ["taskEvent": "started", "taskId": taskId]))
        case "task_progress":
            await onChunk(AgentChunk(.text, "[Task progress: \(message["description"] as? String ?? "")]", metadata: ["taskEvent": "progress", "taskId": taskId]))
        case "task_notification":
            let status = message["status"] as? String ?? ""
            await onChunk(AgentChunk(.text, "[Task \(status): \(message["summary"] as? String ?? "")]", metadata: ["taskEvent": status, "taskId": taskId]))
        case "local_command_output":
            if let text = message["content"] as? String {
                state.withLock { $0.content += text }
                await onChunk(AgentChunk(.text, text))
            }
        case "tool_use_summary":
            if let summary = message["summary"] as? String {
                await onChunk(AgentChunk(.text, summary, metadata: ["toolUseSummary": "true"]))
            }
        default:
            break
        }
    }

    func handle(block: [String: Any], fromAssistant: Bool) async {
        switch block["type"] as? String {
        case "text":
            guard let text = block["text"] as? String else { return }
            // With partial messages the deltas already carried this text.
            if state.current.sawTextDelta { return }
            state.withLock { $0.content += text }
            await onChunk(AgentChunk(.text, text))
        case "thinking":
            if let text = block["thinking"] as? String { await onChunk(AgentChunk(.thinking, text)) }
        case "tool_use":
            let name = block["name"] as? String ?? ""
            let id = block["id"] as? String ?? ""
            await onChunk(AgentChunk(.toolUse, AdapterText.toolUseJSON(name: name, id: id, input: block["input"] ?? [String: Any]()),
                                     metadata: ["toolName": name, "toolId": id]))
        case "tool_result":
            let id = block["tool_use_id"] as? String ?? ""
            let content: String
            if let text = block["content"] as? String { content = text }
            else if let other = block["content"] { content = AdapterText.json(other) }
            else { content = "" }
            await onChunk(AgentChunk(.toolResult, content, metadata: ["toolId": id]))
        default:
            break
        }
    }

    // MARK: control requests from the CLI

    func answer(requestId: String, request: [String: Any], child: ChildProcess) async {
        let subtype = request["subtype"] as? String ?? ""
        var response: [String: Any] = [:]
        switch subtype {
        case "can_use_tool":
            response = await permission(request)
        case "hook_callback":
            let input = request["input"] as? [String: Any] ?? [:]
            await hook(input)
            response = ["continue": true]
        case "mcp_message":
            let message = request["message"] as? [String: Any] ?? [:]
            if request["server_name"] as? String == MCPToolServer.serverName, let reply = await adapter.mcpServer.handle(message) {
                response = ["mcp_response": reply]
            } else {
                response = ["mcp_response": ["jsonrpc": "2.0", "id": message["id"] ?? 0, "result": [String: Any]()]]
            }
        default:
            let error: [String: Any] = ["type": "control_response", "response": ["subtype": "error", "request_id": requestId, "error": "Unsupported control request: \(subtype)"]]
            try? await child.writeLine(AdapterText.json(error))
            return
        }
        let frame: [String: Any] = ["type": "control_response", "response": ["subtype": "success", "request_id": requestId, "response": response]]
        try? await child.writeLine(AdapterText.json(frame))
    }

    /// `can_use_tool` → the permission bridge; the level is read per request (Q19).
    func permission(_ request: [String: Any]) async -> [String: Any] {
        let toolName = request["tool_name"] as? String ?? "unknown"
        let input = request["input"] ?? [String: Any]()
        let level = await adapter.permissionLevel()
        if level == .bypass { return ["behavior": "allow", "updatedInput": input] }
        guard let handler = adapter.options.permissionHandler else {
            return ["behavior": "deny", "message": "Permission denied by user"]
        }
        let ask = PermissionAsk(requestId: UUID().uuidString.lowercased(), toolName: toolName, toolInputJSON: AdapterText.json(input),
                                timeoutMs: 300_000, roomId: room == "__global__" ? nil : room)
        watchdog?.pause()
        let answer = await handler(ask)
        watchdog?.resume()
        switch answer.decision {
        case .allow, .allowAlways: return ["behavior": "allow", "updatedInput": input]
        case .deny:
            let reason = answer.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "Permission denied by user"
            return ["behavior": "deny", "message": reason]
        }
    }

    /// Hook events → chunks (§12.5); every hook answers "continue".
    func hook(_ input: [String: Any]) async {
        let event = input["hook_event_name"] as? String ?? ""
        let meta = ["hookEvent": event]
        switch event {
        case "SubagentStart", "SubagentStop":
            let name = input["agent_name"] as? String ?? input["subagent_type"] as? String ?? "unknown"
            await onChunk(AgentChunk(.text, "[Subagent \(event == "SubagentStart" ? "started" : "stopped"): \(name)]", metadata: meta))
        case "Notification":
            if let text = input["message"] as? String { await onChunk(AgentChunk(.text, "[Notification: \(text)]", metadata: meta)) }
        case "TaskCompleted":
            await onChunk(AgentChunk(.text, "[Task completed]", metadata: meta))
        case "PostToolUse":
            adapter.updateSettings(room) { $0.toolUses += 1 }
        case "Elicitation":
            await onChunk(AgentChunk(.text, "[Elicitation from \(input["mcp_server_name"] as? String ?? "unknown"): \(input["message"] as? String ?? "")]", metadata: meta))
        case "ElicitationResult":
            await onChunk(AgentChunk(.text, "[Elicitation result: \(input["action"] as? String ?? "unknown") (\(input["mcp_server_name"] as? String ?? "unknown"))]", metadata: meta))
        default:
            break
        }
    }

    // MARK: our control requests

    func sendControl(_ request: [String: Any], timeoutMs: Int = 10_000) async -> [String: Any]? {
        guard let child = state.current.child, !child.hasExited else { return nil }
        let id = state.withLock { s -> String in s.nextRequest += 1; return "req_\(s.nextRequest)" }
        let frame = AdapterText.json(["type": "control_request", "request_id": id, "request": request])
        return await withCheckedContinuation { cont in
            state.withLock { $0.pendingControl[id] = cont }
            Task {
                try? await child.writeLine(frame)
                try? await Task.sleep(for: .milliseconds(timeoutMs))
                let waiter = self.state.withLock { $0.pendingControl.removeValue(forKey: id) }
                waiter?.resume(returning: nil)
            }
        }
    }

    private func failPendingControls() {
        let waiters = state.withLock { s -> [CheckedContinuation<[String: Any]?, Never>] in
            let all = Array(s.pendingControl.values)
            s.pendingControl = [:]
            return all
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Interrupt control request; the reply ends with partial text or "Interrupted". A CLI that
    /// ignores it is closed and terminated after 5 s.
    func interrupt() async {
        let child = state.withLock { s -> ChildProcess? in s.aborted = true; return s.child }
        guard let child, !child.hasExited else { return }
        Task { _ = await self.sendControl(["subtype": "interrupt"], timeoutMs: 5_000) }
        Task {
            try? await Task.sleep(for: .seconds(5))
            if !child.hasExited { child.closeStdin(); child.terminate() }
        }
    }

    func rewindFiles(to messageId: String) async -> Bool {
        let response = await sendControl(["subtype": "rewind_files", "user_message_id": messageId])
        return response?["subtype"] as? String == "success"
    }

    func kill() {
        let child = state.withLock { s -> ChildProcess? in s.aborted = true; return s.child }
        child?.terminate(graceMs: 1_000)
    }
}

private extension ClaudeCodeAdapter.RunOutcome {
    func asFailure(_ message: String) -> ClaudeCodeAdapter.RunOutcome { .threw(message) }
}
