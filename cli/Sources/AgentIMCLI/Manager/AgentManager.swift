import Foundation
import Synchronization

/// Turns `server:*` agent frames into adapter calls and adapter output into `gateway:*` frames
/// (agent-cli.md §10): per-agent, per-room FIFO queues (50 each), busy/online status, prompts,
/// room contexts, the permission bridge, commands, stop/remove/rewind, workspace reports.
public actor AgentManager {
    public typealias Sender = @Sendable (OutboundFrame) async -> Void
    public typealias AdapterMaker = @Sendable (_ type: String, _ options: AdapterOptions) throws -> any AgentAdapter

    public struct Settings: Sendable {
        public var queueLimit = 50
        /// Overrides the adapter's permission timeout (a test seam; §26.1 injectable timeouts).
        public var permissionTimeoutMs: Int?
        public var workspaceStatusTimeoutMs = 15_000
        public var contextTTL: Duration = .seconds(3600)
        public var sweepInterval: Duration = .seconds(300)
        public init() {}
    }

    struct QueuedMessage: Sendable { let message: SendToAgent }

    final class Agent: @unchecked Sendable {
        let id: String
        let name: String
        let registeredType: String
        let workingDirectoryGiven: String?
        let workingDirectory: String
        let adapter: any AgentAdapter
        var capabilities: [String]
        var queues: [String: [SendToAgent]] = [:]
        var queueOrder: [String] = []
        var running: Set<String> = []
        var currentRoom: String?
        var level: PermissionLevel

        init(id: String, name: String, registeredType: String, workingDirectoryGiven: String?, workingDirectory: String, adapter: any AgentAdapter, capabilities: [String], level: PermissionLevel) {
            self.id = id; self.name = name; self.registeredType = registeredType; self.workingDirectoryGiven = workingDirectoryGiven
            self.workingDirectory = workingDirectory; self.adapter = adapter; self.capabilities = capabilities; self.level = level
        }

        var depth: Int { queues.values.reduce(0) { $0 + $1.count } }
    }

    struct PendingPermission {
        let agentId: String
        let continuation: CheckedContinuation<(decision: PermissionDecision, reason: String?), Never>
        var timers: [Task<Void, Never>]
    }

    let send: Sender
    let makeAdapter: AdapterMaker
    let settings: Settings
    let log: CLILog
    let sessionLevel: PermissionLevel
    private var agents: [String: Agent] = [:]
    private var agentOrder: [String] = []
    private var contexts: [String: (context: RoomContext, used: ContinuousClock.Instant)] = [:]
    private var pending: [String: PendingPermission] = [:]
    /// `request_reply` calls waiting for the `send_to_agent` of their conversation (§18).
    private var replyWaiters: [String: (target: String, continuation: CheckedContinuation<(reply: String, agentName: String)?, any Error>, timer: Task<Void, Never>)] = [:]
    private let toolRef = AgentToolContext.ManagerRef()
    private var sweepTask: Task<Void, Never>?
    /// Called when the last agent is removed (single-agent mode exits then).
    private var onEmpty: (@Sendable () async -> Void)?
    /// Hooks for `spawn_agent` and credentials (§16); nil → answered as unsupported.
    public var spawnEnvironment: (@Sendable (_ agentType: String, _ credentialId: String?) throws -> [String: String])?
    public var credentialRequests: (@Sendable (ServerFrame) async -> OutboundFrame?)?

    public init(sessionLevel: PermissionLevel, settings: Settings = Settings(), log: CLILog, send: @escaping Sender, makeAdapter: @escaping AdapterMaker) {
        self.sessionLevel = sessionLevel
        self.settings = settings
        self.log = log
        self.send = send
        self.makeAdapter = makeAdapter
    }

    public func setOnEmpty(_ hook: @escaping @Sendable () async -> Void) { onEmpty = hook }
    public func setSpawnEnvironment(_ hook: @escaping @Sendable (String, String?) throws -> [String: String]) { spawnEnvironment = hook }
    public func setCredentialRequests(_ hook: @escaping @Sendable (ServerFrame) async -> OutboundFrame?) { credentialRequests = hook }

    public var agentIds: [String] { agentOrder }
    public var hasAgents: Bool { !agents.isEmpty }

    public func startSweep() {
        guard sweepTask == nil else { return }
        let interval = settings.sweepInterval
        sweepTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.sweepContexts()
            }
        }
    }

    /// Drops room contexts unused for longer than the TTL (§10.6).
    public func sweepContexts(now: ContinuousClock.Instant = .now) {
        contexts = contexts.filter { now - $0.value.used < settings.contextTTL }
    }

    // MARK: agents

    /// Adds an agent (§10.2). `register` false when the caller sends the registrations itself.
    @discardableResult
    public func addAgent(name: String, type: String, workingDirectory given: String?, home: String, capabilities: [String] = [],
                         environment: [String: String] = [:], passEnv: [String] = [], register: Bool = true) async throws -> String {
        let id = NanoID.make()
        let resolved = Self.resolveDirectory(given, home: home)
        var options = AdapterOptions(agentId: id, agentName: name, workingDirectory: resolved, environment: environment, passEnv: passEnv,
                                     permissionLevel: sessionLevel)
        // Installed whatever the start level: the level is consulted per request (§25 Q19).
        options.permissionHandler = { [weak self] ask in
            guard let self else { return (.deny, "Gateway shutting down") }
            return await self.askPermission(agentId: id, ask)
        }
        toolRef.manager = self
        options.toolContext = AgentToolContext(agentId: id, ref: toolRef)
        let adapter = try makeAdapter(type, options)
        var caps = capabilities
        if adapter.supportsRewind, !caps.contains("rewind") { caps.append("rewind") }
        // Custom types register as `generic` (§25 Q9).
        let agent = Agent(id: id, name: name, registeredType: adapter.type, workingDirectoryGiven: given, workingDirectory: resolved,
                          adapter: adapter, capabilities: caps, level: sessionLevel)
        agents[id] = agent
        agentOrder.append(id)
        if register { await send(await registration(agent)) }
        return id
    }

    static func resolveDirectory(_ given: String?, home: String) -> String {
        guard var path = given, !path.isEmpty else { return FileManager.default.currentDirectoryPath }
        if path == "~" { path = home } else if path.hasPrefix("~/") { path = home + path.dropFirst(1) }
        if !path.hasPrefix("/") { path = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) }
        return (path as NSString).standardizingPath
    }

    private func registration(_ agent: Agent) async -> OutboundFrame {
        let info = await agent.adapter.info(roomKey: nil)
        return GatewayFrame.register(RegisteredAgent(
            id: agent.id, name: agent.name, type: agent.registeredType, workingDirectory: agent.workingDirectoryGiven,
            capabilities: agent.capabilities, slashCommands: info.slashCommands.isEmpty ? nil : Array(info.slashCommands.prefix(100)),
            mcpServers: info.mcpServers.isEmpty ? nil : Array(info.mcpServers.prefix(100)), model: info.model))
    }

    /// Registrations of every agent, same ids (sent first after a reconnect's auth).
    public func registrations() async -> [OutboundFrame] {
        var frames: [OutboundFrame] = []
        for id in agentOrder { if let agent = agents[id] { frames.append(await registration(agent)) } }
        return frames
    }

    /// Local removal: dispose and send `unregister_agent` once; unknown ids send nothing.
    public func removeAgent(_ id: String, notifyHub: Bool = true) async {
        guard let agent = agents.removeValue(forKey: id) else { return }
        agentOrder.removeAll { $0 == id }
        contexts = contexts.filter { !$0.key.hasPrefix(id + ":") }
        denyPending(of: id)
        await agent.adapter.dispose()
        if notifyHub { await send(GatewayFrame.unregister(agentId: id)) }
        if agents.isEmpty, let onEmpty { await onEmpty() }
    }

    /// Shutdown (§10.10): dispose every adapter (10 s bound), unregister each, deny pending approvals.
    public func disposeAll() async {
        sweepTask?.cancel()
        let all = agentOrder.compactMap { agents[$0] }
        agents = [:]
        agentOrder = []
        contexts = [:]
        for id in Array(pending.keys) { resolve(id, (.deny, "Gateway shutting down")) }
        for conversationId in Array(replyWaiters.keys) { settleReply(conversationId, nil) }   // as timed out (§10.10)
        await withTaskGroup(of: Void.self) { group in
            for agent in all { group.addTask { await agent.adapter.dispose() } }
            group.addTask { try? await Task.sleep(for: .seconds(10)) }
            var finished = 0
            for await _ in group {
                finished += 1
                if finished == all.count { group.cancelAll(); break }
            }
        }
        for agent in all { await send(GatewayFrame.unregister(agentId: agent.id)) }
    }

    // MARK: inbound

    public func handle(_ frame: ServerFrame) async {
        switch frame {
        case .sendToAgent(let m): await receive(m)
        case .roomContext(let agentId, let context):
            guard agents[agentId] != nil else { return }
            contexts["\(agentId):\(context.roomId)"] = (context, .now)
        case .stopAgent(let agentId, let roomId): await stop(agentId: agentId, roomId: roomId)
        case .removeAgent(let agentId): await removeAgent(agentId, notifyHub: false)
        case .permissionResponse(let response): permissionAnswered(response)
        case .agentCommand(let command): await runCommand(command)
        case .queryAgentInfo(let agentId, let roomId):
            guard let agent = agents[agentId] else { return }
            await agent.adapter.waitForModels(milliseconds: 3000)
            await sendInfo(agent, roomId: roomId)
        case .spawnAgent(let request): await spawn(request)
        case .requestWorkspace(let agentId, _, let requestId, let request):
            let response: JSON
            if let agent = agents[agentId] {
                if agent.workingDirectoryGiven?.isEmpty ?? true {
                    response = WorkspaceBrowser.error("Agent has no working directory")
                } else {
                    response = await Self.withTimeout(ms: settings.workspaceStatusTimeoutMs, WorkspaceBrowser.error("Workspace request timed out")) {
                        await WorkspaceBrowser.answer(request, root: agent.workingDirectory)
                    }
                }
            } else {
                response = WorkspaceBrowser.error("Agent not found")
            }
            await send(GatewayFrame.workspaceResponse(agentId: agentId, requestId: requestId, response: response))
        case .listCredentials(let requestId, let agentType):
            if let reply = await credentialRequests?(frame) { await send(reply) }
            else { await send(GatewayFrame.credentialList(requestId: requestId, agentType: agentType, credentials: [])) }
        case .addCredential(let add):
            if let reply = await credentialRequests?(frame) { await send(reply) }
            else { await send(GatewayFrame.credentialResult(requestId: add.requestId, success: false, error: "Credential management is not available", credential: nil)) }
        case .manageCredential(let manage):
            if let reply = await credentialRequests?(frame) { await send(reply) }
            else { await send(GatewayFrame.credentialResult(requestId: manage.requestId, success: false, error: "Credential management is not available", credential: nil)) }
        case .startOAuth(let requestId, _, _), .completeOAuth(let requestId, _):
            // Remote OAuth is PERIPHERAL (§16.7): log in locally with `agentim <type> token`.
            await send(GatewayFrame.oauthResult(requestId: requestId, success: false, error: "Remote OAuth is not supported; run `agentim <type> token` on the gateway machine", credential: nil))
        case .rewindAgent(let agentId, let roomId, let messageId): await rewind(agentId: agentId, roomId: roomId, messageId: messageId)
        case .gatewayAuthResult, .pong, .error: break
        }
    }

    static func withTimeout<T: Sendable>(ms: Int, _ fallback: T, _ work: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await work() }
            group.addTask { try? await Task.sleep(for: .milliseconds(ms)); return Task.isCancelled ? nil : fallback }
            var result = fallback
            for await value in group {
                if let value { result = value; break }
            }
            group.cancelAll()
            return result
        }
    }

    // MARK: MCP tool support (§18)

    func currentRoom(of agentId: String) -> String? { agents[agentId]?.currentRoom }

    func roomContext(agentId: String, roomId: String) -> RoomContext? { contexts["\(agentId):\(roomId)"]?.context }

    func pendingReplyCount(to target: String) -> Int { replyWaiters.values.filter { $0.target == target }.count }

    func awaitReply(conversationId: String, target: String, continuation: CheckedContinuation<(reply: String, agentName: String)?, any Error>, timeoutSeconds: Int) {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeoutSeconds))
            guard !Task.isCancelled else { return }
            await self?.settleReply(conversationId, nil)
        }
        replyWaiters[conversationId] = (target, continuation, timer)
    }

    func settleReply(_ conversationId: String, _ reply: (reply: String, agentName: String)?) {
        guard let waiter = replyWaiters.removeValue(forKey: conversationId) else { return }
        waiter.timer.cancel()
        waiter.continuation.resume(returning: reply)
    }

    func failReply(conversationId: String, _ error: any Error) {
        guard let waiter = replyWaiters.removeValue(forKey: conversationId) else { return }
        waiter.timer.cancel()
        waiter.continuation.resume(throwing: error)
    }

    // MARK: queue and busy model (§10.3)

    private func isBusy(_ agent: Agent, room: String) -> Bool {
        agent.adapter.supportsParallelRooms ? agent.running.contains(room) : !agent.running.isEmpty
    }

    func receive(_ message: SendToAgent) async {
        guard let agent = agents[message.agentId] else { return }
        if !message.conversationId.isEmpty, replyWaiters[message.conversationId] != nil {
            settleReply(message.conversationId, (message.content, message.senderName))
            return
        }
        log.debug("Message \(message.messageId) for \(agent.name) in room \(message.roomId)")
        let room = message.roomId
        if isBusy(agent, room: room) {
            if agent.queues[room, default: []].count >= settings.queueLimit {
                let text = "Agent message queue is full. Please try again later."
                await send(GatewayFrame.complete(roomId: room, agentId: agent.id, messageId: message.messageId, fullContent: "Error: \(text)",
                                                 chunks: [WireChunk(type: "error", content: text)], conversationId: message.conversationId, depth: message.depth))
                return
            }
            if agent.queues[room] == nil { agent.queueOrder.append(room) }
            agent.queues[room, default: []].append(message)
            await send(GatewayFrame.status(agentId: agent.id, status: "busy", queueDepth: agent.depth))
            return
        }
        await start(agent, message)
    }

    private func start(_ agent: Agent, _ message: SendToAgent) async {
        agent.running.insert(message.roomId)
        agent.currentRoom = message.roomId
        await send(GatewayFrame.status(agentId: agent.id, status: "busy", queueDepth: agent.depth))
        Task { await self.reply(agent, message) }
    }

    private func take(_ agent: Agent, room: String) -> SendToAgent? {
        guard var queue = agent.queues[room], !queue.isEmpty else { return nil }
        let next = queue.removeFirst()
        if queue.isEmpty { agent.queues[room] = nil; agent.queueOrder.removeAll { $0 == room } } else { agent.queues[room] = queue }
        return next
    }

    private func finished(_ agent: Agent, room: String) async {
        agent.running.remove(room)
        guard agents[agent.id] === agent else { return }
        if let next = take(agent, room: room) { await start(agent, next); return }
        if agent.running.isEmpty {
            for other in agent.queueOrder {
                if let next = take(agent, room: other) { await start(agent, next); return }
            }
            await send(GatewayFrame.status(agentId: agent.id, status: "online", queueDepth: 0))
        } else {
            await send(GatewayFrame.status(agentId: agent.id, status: "busy", queueDepth: agent.depth))
        }
    }

    // MARK: one reply (§9.3 "One reply", §10.4)

    final class Recorder: Sendable {
        let chunks = Mutex<[WireChunk]>([])
        func add(_ chunk: WireChunk) { chunks.withLock { $0.append(chunk) } }
        var all: [WireChunk] { chunks.withLock { $0 } }
    }

    static let maxFullContent = 200_000
    static let truncationMarker = "\n\n[...truncated]"

    private func reply(_ agent: Agent, _ message: SendToAgent) async {
        let replyId = NanoID.make()
        let key = "\(agent.id):\(message.roomId)"
        if let entry = contexts[key] { contexts[key] = (entry.context, .now) }
        let context = MessageContext(roomId: message.roomId, senderName: message.senderName, routingMode: message.routingMode,
                                     conversationId: message.conversationId, depth: message.depth, roomContext: contexts[key]?.context)
        let prompt = PromptBuilder.build(content: message.content, context: context, agentId: agent.id, agentName: agent.name, adapterType: agent.adapter.type)
        let recorder = Recorder()
        let send = self.send
        let roomId = message.roomId, agentId = agent.id
        let outcome = await agent.adapter.send(prompt, context: context) { chunk in
            let wire = WireChunk(chunk)
            recorder.add(wire)
            await send(GatewayFrame.chunk(roomId: roomId, agentId: agentId, messageId: replyId, chunk: wire))
        }
        var fullContent: String
        switch outcome {
        case .complete(let text):
            fullContent = text
        case .failed(let error):
            let wire = WireChunk(type: "error", content: error)
            recorder.add(wire)
            await send(GatewayFrame.chunk(roomId: roomId, agentId: agentId, messageId: replyId, chunk: wire))
            fullContent = "Error: \(error)"
        }
        await reportWorkspace(agent, roomId: roomId, replyId: replyId, recorder: recorder, success: { if case .complete = outcome { return true }; return false }())
        if fullContent.utf16.count > Self.maxFullContent {
            let keep = Self.maxFullContent - Self.truncationMarker.utf16.count
            fullContent = String(decoding: Array(fullContent.utf16.prefix(keep)), as: UTF16.self) + Self.truncationMarker
        }
        log.debug("Reply \(replyId) of \(agent.name) done: \(recorder.all.count) chunks")
        let chunks = StoredChunks.storable(recorder.all)
        await send(GatewayFrame.complete(roomId: roomId, agentId: agentId, messageId: replyId, fullContent: fullContent, chunks: chunks,
                                         conversationId: message.conversationId, depth: message.depth))
        await finished(agent, room: roomId)
    }

    private func reportWorkspace(_ agent: Agent, roomId: String, replyId: String, recorder: Recorder, success: Bool) async {
        guard agent.workingDirectoryGiven?.isEmpty == false else { return }
        let dir = agent.workingDirectory
        let status: JSON?
        if success {
            let timedOut = JSON.string("__timeout__")
            let result = await Self.withTimeout(ms: settings.workspaceStatusTimeoutMs, Optional(timedOut)) { await GitStatus.collect(in: dir) }
            if result == timedOut {
                await send(GatewayFrame.chunk(roomId: roomId, agentId: agent.id, messageId: replyId,
                                              chunk: WireChunk(type: "text", content: "[Workspace status unavailable: timed out after \(settings.workspaceStatusTimeoutMs / 1000) s]")))
                return
            }
            status = result
        } else {
            status = await GitStatus.collect(in: dir)
        }
        guard let status else { return }
        let wire = WireChunk(type: "workspace_status", content: JSON.text(status), metadata: ["workingDirectory": .string(dir)])
        recorder.add(wire)
        await send(GatewayFrame.chunk(roomId: roomId, agentId: agent.id, messageId: replyId, chunk: wire))
    }

    // MARK: stop, rewind (§10.9, §27)

    func stop(agentId: String, roomId: String?) async {
        guard let agent = agents[agentId] else { return }
        log.info("Stop for \(agent.name) in \(roomId ?? "every room")")
        if let roomId {
            if agent.queues.removeValue(forKey: roomId) != nil { agent.queueOrder.removeAll { $0 == roomId } }
            await agent.adapter.stop(roomKey: roomId)
        } else {
            agent.queues = [:]
            agent.queueOrder = []
            await agent.adapter.stop()
        }
    }

    func rewind(agentId: String, roomId: String, messageId: String) async {
        guard let agent = agents[agentId] else {
            await send(GatewayFrame.rewindResult(agentId: agentId, roomId: roomId, success: false, error: "Agent not found"))
            return
        }
        if agent.running.contains(roomId) { await agent.adapter.stop(roomKey: roomId) }
        if agent.queues.removeValue(forKey: roomId) != nil { agent.queueOrder.removeAll { $0 == roomId } }
        let result = await agent.adapter.rewind(messageId: messageId, roomKey: roomId)
        await send(GatewayFrame.rewindResult(agentId: agentId, roomId: roomId, success: result.success, error: result.success ? nil : result.message))
    }

    // MARK: commands and info (§10.8)

    func runCommand(_ command: AgentCommand) async {
        guard let agent = agents[command.agentId] else {
            await send(GatewayFrame.commandResult(agentId: command.agentId, roomId: command.roomId, command: command.command, success: false, message: "Agent not found"))
            return
        }
        if command.command == "permission" {
            let arg = command.args.trimmingCharacters(in: .whitespaces).lowercased()
            let level: PermissionLevel
            switch arg {
            case "bypass", "off": level = .bypass
            case "interactive", "on": level = .interactive
            default: level = agent.level == .bypass ? .interactive : .bypass
            }
            agent.level = level
            await agent.adapter.setPermissionLevel(level)
            await send(GatewayFrame.commandResult(agentId: agent.id, roomId: command.roomId, command: command.command, success: true, message: "Permission level: \(level.rawValue)"))
            await sendInfo(agent, roomId: command.roomId)
            return
        }
        let result = await agent.adapter.handleSlashCommand(command.command, args: command.args, roomKey: command.roomId)
        await send(GatewayFrame.commandResult(agentId: agent.id, roomId: command.roomId, command: command.command, success: result.success,
                                              message: result.message.map { String($0.prefix(10_000)) }))
        if result.success, ["model", "think", "plan", "effort"].contains(command.command) { await sendInfo(agent, roomId: command.roomId) }
    }

    private func sendInfo(_ agent: Agent, roomId: String?) async {
        let info = await agent.adapter.info(roomKey: roomId)
        let frame = GatewayFrame.AgentInfoFrame(
            agentId: agent.id, roomId: roomId, slashCommands: Array(info.slashCommands.prefix(100)), mcpServers: Array(info.mcpServers.prefix(100)),
            model: info.model, thinkingMode: info.thinkingMode, effortLevel: info.effortLevel,
            sessionCostUSD: info.cost.costUSD > 0 ? info.cost.costUSD : nil,
            availableModels: info.availableModels.isEmpty ? nil : Array(info.availableModels.prefix(50)),
            availableModelInfo: nil,
            availableEffortLevels: info.availableEffortLevels.isEmpty ? nil : Array(info.availableEffortLevels.prefix(20)),
            availableThinkingModes: info.availableThinkingModes.isEmpty ? nil : Array(info.availableThinkingModes.prefix(20)),
            planMode: info.planMode ? true : nil, permissionLevel: agent.level.rawValue)
        await send(GatewayFrame.agentInfo(frame))
    }

    // MARK: spawn (§16.3 remote)

    func spawn(_ request: SpawnAgent) async {
        do {
            let environment = try spawnEnvironment?(request.agentType, request.credentialId) ?? [:]
            let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
            let id = try await addAgent(name: request.name, type: request.agentType, workingDirectory: request.workingDirectory, home: home, environment: environment)
            await send(GatewayFrame.spawnResult(requestId: request.requestId, success: true, agentId: id, error: nil))
        } catch {
            await send(GatewayFrame.spawnResult(requestId: request.requestId, success: false, agentId: nil, error: "\(error)"))
        }
    }

    // MARK: permission bridge (§10.7)

    public static func pendingNotice(tool: String) -> String {
        "[Permission pending: \(tool) is waiting for approval in the web UI; it will be denied automatically if nobody answers]"
    }

    public static func timeoutNotice(tool: String) -> String {
        "[Permission request timed out and was denied (tool=\(tool))]"
    }

    func askPermission(agentId: String, _ ask: PermissionAsk) async -> (decision: PermissionDecision, reason: String?) {
        guard let agent = agents[agentId] else { return (.deny, "Agent not found") }
        if agent.level == .bypass { return (.allow, nil) }
        guard let roomId = ask.roomId ?? agent.currentRoom else { return (.deny, "No active room") }
        let timeout = settings.permissionTimeoutMs ?? ask.timeoutMs
        let input = JSON.parse(ask.toolInputJSON).flatMap { value -> JSON? in if case .object = value { return value }; return nil } ?? .object([:])
        let requestId = ask.requestId.isEmpty ? NanoID.make() : String(ask.requestId.prefix(100))
        return await withCheckedContinuation { continuation in
            pending[requestId] = PendingPermission(agentId: agentId, continuation: continuation, timers: [])
            let send = self.send
            let tool = ask.toolName
            Task {
                await send(GatewayFrame.permissionRequest(requestId: requestId, agentId: agentId, roomId: roomId, toolName: String(tool.prefix(200)),
                                                          toolInput: input, timeoutMs: max(1000, min(timeout, 300_000))))
            }
            let remindAt = min(timeout * 3 / 4, timeout - 10_000)
            var timers: [Task<Void, Never>] = []
            if remindAt > 5000 {
                timers.append(Task {
                    try? await Task.sleep(for: .milliseconds(remindAt))
                    guard !Task.isCancelled else { return }
                    await send(GatewayFrame.chunk(roomId: roomId, agentId: agentId, messageId: requestId, chunk: WireChunk(type: "text", content: Self.pendingNotice(tool: tool))))
                })
            }
            timers.append(Task {
                try? await Task.sleep(for: .milliseconds(timeout))
                guard !Task.isCancelled else { return }
                await self.expire(requestId, roomId: roomId, tool: tool)
            })
            pending[requestId]?.timers = timers
        }
    }

    private func expire(_ requestId: String, roomId: String, tool: String) async {
        guard let entry = pending[requestId] else { return }
        await send(GatewayFrame.chunk(roomId: roomId, agentId: entry.agentId, messageId: requestId, chunk: WireChunk(type: "text", content: Self.timeoutNotice(tool: tool))))
        resolve(requestId, (.deny, "Permission request timed out"))
    }

    private func resolve(_ requestId: String, _ answer: (decision: PermissionDecision, reason: String?)) {
        guard let entry = pending.removeValue(forKey: requestId) else { return }
        entry.timers.forEach { $0.cancel() }
        entry.continuation.resume(returning: answer)
    }

    private func denyPending(of agentId: String) {
        for (id, entry) in pending where entry.agentId == agentId { resolve(id, (.deny, "Agent removed")) }
    }

    func permissionAnswered(_ response: PermissionResponse) {
        guard pending[response.requestId] != nil else {
            log.warn("Permission response for unknown request \(response.requestId)")
            return
        }
        switch response.decision {
        case "allow": resolve(response.requestId, (.allow, nil))
        case "allowAlways": resolve(response.requestId, (.allowAlways, nil))
        default: resolve(response.requestId, (.deny, response.denyReason.map { String($0.prefix(1000)) }))
        }
    }

    public var pendingPermissionCount: Int { pending.count }
}
