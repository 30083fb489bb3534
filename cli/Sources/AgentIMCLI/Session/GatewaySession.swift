import Foundation

/// One CLI session against the hub (agent-cli.md §8): the connection, the agent manager, token
/// refresh on a rejected auth, recovery mode (§8.3) and the mode's hooks (gateway or single agent).
public actor GatewaySession {
    public enum Mode: Sendable {
        /// `gateway`: agents from `-a` specs; not ephemeral; stays up without agents.
        case gateway
        /// `claude|codex|gemini --foreground`: one agent; ephemeral; exits when it is removed.
        case singleAgent
    }

    public struct AgentSpec: Sendable, Equatable {
        public var name: String
        public var type: String
        public var workingDirectory: String?
        public var environment: [String: String] = [:]
        public var passEnv: [String] = []
        public init(name: String, type: String, workingDirectory: String?, environment: [String: String] = [:], passEnv: [String] = []) {
            self.name = name; self.type = type; self.workingDirectory = workingDirectory; self.environment = environment; self.passEnv = passEnv
        }
    }

    public struct Settings: Sendable {
        public var connection: GatewayConnection.Settings
        public var manager = AgentManager.Settings()
        public var recoveryPollMs = 5000
        public var refreshRetryBaseMs = 2000
        public init(url: String) { connection = .init(url: url) }
    }

    let mode: Mode
    let specs: [AgentSpec]
    let store: ConfigStore
    let log: CLILog
    let home: String
    public let connection: GatewayConnection
    public let manager: AgentManager
    let tokens: TokenManager
    let deviceInfo: DeviceInfo
    let settings: Settings
    private var firstAuthDone = false
    private var refreshedOnGeneration: Int?
    private var refreshTask: Task<Void, Never>?
    private var recoveryTask: Task<Void, Never>?
    public private(set) var inRecovery = false
    private var finished = false
    private let exitStream: AsyncStream<Int32>
    private let exitContinuation: AsyncStream<Int32>.Continuation
    /// Called once with the id of each agent after its first registration (daemon records).
    private var onRegistered: (@Sendable (String) async -> Void)?

    public init(mode: Mode, specs: [AgentSpec], config: HubConfig, store: ConfigStore, settings: Settings, sessionLevel: PermissionLevel,
                log: CLILog, makeAdapter: @escaping AgentManager.AdapterMaker) {
        self.mode = mode
        self.specs = specs
        self.store = store
        self.log = log
        self.settings = settings
        home = store.paths.home
        let connection = GatewayConnection(settings: settings.connection, log: log)
        self.connection = connection
        manager = AgentManager(sessionLevel: sessionLevel, settings: settings.manager, log: log, send: { await connection.send($0) }, makeAdapter: makeAdapter)
        tokens = TokenManager(config: config, store: store, retryBaseMs: settings.refreshRetryBaseMs)
        deviceInfo = DeviceInfo.current()
        (exitStream, exitContinuation) = AsyncStream<Int32>.makeStream()
    }

    public func setOnRegistered(_ hook: @escaping @Sendable (String) async -> Void) { onRegistered = hook }

    /// Runs until shutdown; returns the exit code (§3.5).
    public func run() async -> Int32 {
        await manager.startSweep()
        if mode == .singleAgent {
            await manager.setOnEmpty { [weak self] in await self?.finish(code: 0, reason: "Agent removed") }
        }
        await connection.start { [weak self] event in await self?.handle(event) }
        var code: Int32 = 0
        for await value in exitStream { code = value; break }
        return code
    }

    /// Graceful shutdown (§8.8): stop recovery, drop the marker, dispose agents (unregister each), close.
    public func finish(code: Int32, reason: String) async {
        guard !finished else { return }
        finished = true
        log.info("Shutting down: \(reason)")
        recoveryTask?.cancel()
        refreshTask?.cancel()
        store.removeRevokedMarker()
        await Self.bounded(seconds: 15) { await self.manager.disposeAll() }
        // Give the unregister frames a moment on an open socket.
        try? await Task.sleep(for: .milliseconds(200))
        await connection.stop()
        exitContinuation.yield(code)
        exitContinuation.finish()
    }

    static func bounded(seconds: Int, _ work: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await work() }
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    // MARK: events

    func handle(_ event: GatewayConnection.Event) async {
        switch event {
        case .opened(let generation):
            refreshTask?.cancel()
            refreshTask = nil
            refreshedOnGeneration = nil
            await sendAuth()
            _ = generation
        case .closed:
            log.warn("Disconnected from the hub")
        case .frame(let frame, let generation):
            switch frame {
            case .gatewayAuthResult(let ok, let error):
                if ok { await authenticated(generation: generation) } else { await authRejected(error: error, generation: generation) }
            case .error(let code, let message):
                if code == "PROTOCOL_VERSION_MISMATCH" {
                    log.error("The hub speaks another protocol version: update the agentim CLI. (\(message))")
                    await connection.suspend()
                    try? await Task.sleep(for: .milliseconds(500))
                    await finish(code: 1, reason: "protocol version mismatch")
                } else {
                    log.warn("Hub error \(code): \(message)")
                }
            default:
                await manager.handle(frame)
            }
        }
    }

    private func sendAuth() async {
        let token = await tokens.accessToken
        await connection.send(GatewayFrame.auth(token: token, gatewayId: await tokens.config.gatewayId, deviceInfo: deviceInfo, ephemeral: mode == .singleAgent))
    }

    private func authenticated(generation: Int) async {
        store.removeRevokedMarker()
        var prefix: [OutboundFrame] = []
        if !firstAuthDone {
            firstAuthDone = true
            log.info("Connected to the hub")
            var added: [String] = []
            for spec in specs {
                do {
                    let id = try await manager.addAgent(name: spec.name, type: spec.type, workingDirectory: spec.workingDirectory, home: home,
                                                        environment: spec.environment, passEnv: spec.passEnv, register: false)
                    added.append(id)
                    log.info("Agent \(spec.name) (\(spec.type)) ready as \(id)")
                } catch {
                    log.error("Cannot start agent \(spec.name): \(error)")
                }
            }
            if mode == .singleAgent, added.isEmpty {
                await finish(code: 1, reason: "the agent could not start")
                return
            }
            prefix = await manager.registrations()
            await connection.authenticated(prefix: prefix, generation: generation)
            if let onRegistered { for id in added { await onRegistered(id) } }
        } else {
            log.info("Reconnected to the hub")
            prefix = await manager.registrations()
            await connection.authenticated(prefix: prefix, generation: generation)
        }
    }

    private func authRejected(error: String?, generation: Int) async {
        let config = await tokens.config
        if refreshedOnGeneration != generation, refreshTask == nil, !config.refreshToken.isEmpty {
            log.info("Hub refused the access token (\(error ?? "no reason")); refreshing")
            refreshTask = Task {
                do {
                    _ = try await self.tokens.refresh()
                    await self.refreshed(generation: generation)
                } catch {
                    let text = "\(error)"
                    await self.refreshFailed(text)
                }
            }
            return
        }
        log.error("Hub refused the gateway: \(error ?? "Authentication failed")")
        await enterRecovery()
    }

    private func refreshed(generation: Int) async {
        refreshTask = nil
        guard await connection.generation == generation else { return }
        refreshedOnGeneration = generation
        await sendAuth()
    }

    private func refreshFailed(_ text: String) async {
        refreshTask = nil
        if text == "Token refresh aborted" { return }
        log.error(text)
        await enterRecovery()
    }

    // MARK: recovery mode (§8.3)

    func enterRecovery() async {
        guard !inRecovery, !finished else { return }
        inRecovery = true
        let config = await tokens.config
        store.writeRevokedMarker(serverUrl: config.serverUrl)
        log.warn("Authentication revoked: agents stay up; run `agentim login` to reconnect")
        await connection.suspend()
        let pollMs = settings.recoveryPollMs
        recoveryTask = Task {
            var polls = 0
            var refreshing: Task<Bool, Never>?
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(pollMs))
                if Task.isCancelled { return }
                polls += 1
                if let disk = self.store.load() {
                    if disk.serverUrl != config.serverUrl {
                        await self.finish(code: 0, reason: "server URL changed")
                        return
                    }
                    if disk.token != (await self.tokens.config.token) {
                        await self.tokens.adopt(disk)
                        await self.recover()
                        return
                    }
                }
                if polls % 6 == 0, await !self.recoveryRefreshRunning {
                    await self.setRecoveryRefresh(true)
                    refreshing = Task {
                        let ok = (try? await self.tokens.refresh()) != nil
                        await self.setRecoveryRefresh(false)
                        if ok { await self.recover() }
                        return ok
                    }
                }
            }
            refreshing?.cancel()
        }
    }

    private var recoveryRefreshRunning = false
    private func setRecoveryRefresh(_ running: Bool) { recoveryRefreshRunning = running }

    private func recover() async {
        guard inRecovery else { return }
        inRecovery = false
        recoveryTask = nil
        store.removeRevokedMarker()
        log.info("Credentials renewed; reconnecting")
        await connection.resume()
    }
}

extension DeviceInfo {
    public static func current() -> DeviceInfo {
        #if os(Linux)
        let platform = "linux"
        #elseif os(macOS)
        let platform = "darwin"
        #else
        let platform = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "x64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return DeviceInfo(hostname: SecretBox.hostname(), platform: platform, arch: arch, nodeVersion: "swift-\(AgentIMVersion.current)", agentimVersion: nil)
    }
}

public enum AgentIMVersion {
    public static let current = "0.1.0"
}
