import AsyncHTTPClient
import Foundation
import Synchronization

/// The last shutdown signal received (0 = none), set by the signal handler.
enum ShutdownSignal {
    static let received = Atomic<Int32>(0)
}

/// What each command of §3 does; `main` only parses arguments and calls these. Each returns the
/// process exit code (§3.5).
public struct CLICommands: Sendable {
    public let environment: [String: String]
    public let paths: AgentIMPaths
    public let store: ConfigStore
    public let log: CLILog

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        paths = AgentIMPaths(environment: environment)
        store = ConfigStore(paths: paths)
        log = CLILog(environment: environment)
    }

    func out(_ text: String) { print(text) }
    func err(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    // MARK: login / logout / status

    public func login(server: String?, username: String?) async -> Int32 {
        // The password is read once and removed from this process's environment (§3.1).
        let envPassword = environment["AGENTIM_PASSWORD"] ?? ProcessInfo.processInfo.environment["AGENTIM_PASSWORD"]
        unsetenv("AGENTIM_PASSWORD")
        guard let serverInput = server ?? Prompting.line("Server URL"), let base = HubURL.clean(serverInput) else {
            err("Invalid server URL: it must start with http:// or https://")
            return 1
        }
        guard let user = username ?? Prompting.line("Username"), !user.isEmpty else { err("Username is required"); return 1 }
        let password: String
        if let envPassword, !envPassword.isEmpty { password = envPassword } else {
            do { password = try Prompting.password("Password") } catch { err("Login failed: \(error)"); return 1 }
        }
        let api = HubAPI(baseURL: base)
        do {
            var pair: HubAPI.TokenPair
            switch try await api.login(username: user, password: password) {
            case .tokens(let tokens): pair = tokens
            case .totpRequired(let challenge):
                let code = environment["AGENTIM_TOTP_CODE"] ?? Prompting.line("Verification code") ?? ""
                unsetenv("AGENTIM_TOTP_CODE")
                guard !code.isEmpty else { err("Login failed: a verification code is required"); return 1 }
                pair = try await api.verifyTOTP(totpToken: challenge, code: code)
            }
            let previous = store.load()
            let config = HubConfig(serverUrl: HubURL.gatewayURL(fromBase: base), serverBaseUrl: base, token: pair.accessToken,
                                   refreshToken: pair.refreshToken, gatewayId: previous?.gatewayId ?? NanoID.make())
            try store.save(config)
            store.removeRevokedMarker()
            out("Logged in to \(base) as \(user)")
            out("Gateway ID: \(config.gatewayId)")
            out("Config: \(paths.config.path)")
            return 0
        } catch {
            err("\(error)".hasPrefix("Login failed") ? "\(error)" : "Login failed: \(error)")
            return 1
        }
    }

    public func logout() -> Int32 {
        if store.delete() { out("Logged out (removed \(paths.config.path))") } else { out("Not logged in") }
        return 0
    }

    public func status() -> Int32 {
        guard let config = store.load() else {
            out("Not logged in. Run `agentim login` first.")
            return 0
        }
        out("Server (WebSocket): \(config.serverUrl)")
        out("Server (HTTP):      \(config.serverBaseUrl)")
        out("Gateway ID:         \(config.gatewayId)")
        out("Refresh token:      \(config.refreshToken.isEmpty ? "no" : "yes")")
        out("Config:             \(paths.config.path)")
        if store.hasRevokedMarker() { out("Session:            revoked — run `agentim login` again") }
        return 0
    }

    // MARK: agents

    public static let bannerText = """
    ⚠️  agentim runs AI coding agents on this machine with your user's rights.
       Prefer a container or VM, pass only the environment they need (--pass-env), and
       point them at working directories you are ready to let them change.
    """

    func banner(suppressed: Bool) {
        if suppressed || environment["AGENTIM_NO_SECURITY_WARNING"] == "1" { return }
        err(Self.bannerText)
    }

    public struct AgentOptions: Sendable {
        public var command: String        // claude | codex | gemini
        public var path: String?
        public var name: String?
        public var credential: String?
        public var yes = false
        public var foreground = false
        public var passEnv: String?
        public var noSecurityWarning = false
        public init(command: String) { self.command = command }
    }

    public static func agentType(forCommand command: String) -> String {
        command == "claude" ? "claude-code" : command
    }

    public func agent(_ options: AgentOptions) async -> Int32 {
        banner(suppressed: options.noSecurityWarning)
        let type = Self.agentType(forCommand: options.command)
        // Resolved before anything else so the daemon child gets the same directory (§25 Q11).
        let workDir = AgentManager.resolveDirectory(options.path, home: paths.home)
        guard FileManager.default.fileExists(atPath: workDir) else { err("Directory not found: \(workDir)"); return 1 }
        let name = options.name ?? AgentNameGenerator.make(workDir: options.path ?? workDir, type: type)
        guard DaemonStore.isValidName(name) else { err("Invalid agent name: use letters, digits, '.', '_' or '-' (no leading dot)"); return 1 }
        guard let config = store.load() else { err("Not logged in. Run `agentim login` first."); return 1 }
        // A credential is required for the built-in agents (§3.2 step 5, §16.3); the daemon child
        // resolves the same one again by id.
        let credential: AgentCredential
        let credentialEnv: [String: String]
        do {
            let store = try CredentialStore(agentType: type, root: paths.root, box: SecretBox(home: paths.home))
            credential = try CredentialManager(store: store, root: paths.root).select(query: options.credential)
            credentialEnv = try CredentialEnvironment.environment(agentType: type, credential: credential, root: paths.root)
        } catch {
            err("\(error)")
            return options.credential == nil ? 0 : 1
        }
        let passEnv = (options.passEnv ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for key in SafeEnvironment.refusedPassEnv(passEnv) { err("Warning: \(key) can never be passed to agents; it stays blocked") }
        let level: PermissionLevel = options.yes ? .bypass : .interactive

        if options.foreground {
            let spec = GatewaySession.AgentSpec(name: name, type: type, workingDirectory: workDir, environment: credentialEnv, passEnv: passEnv)
            let daemons = DaemonStore(paths: paths)
            let session = makeSession(mode: .singleAgent, specs: [spec], config: config, level: level)
            await session.setOnRegistered { agentId in
                if var record = daemons.read(name), record.pid == getpid() {
                    record.agentId = agentId
                    try? daemons.write(record)
                }
            }
            let code = await runWithSignals(session)
            if let record = daemons.read(name), record.pid == getpid() { daemons.remove(name) }
            return code
        }
        return startDaemon(name: name, type: type, workDir: workDir, gatewayId: "ephemeral",
                           arguments: [options.command, "--foreground", "--name", name, "--no-security-warning", "--credential", credential.id]
                               + (options.yes ? ["--yes"] : []) + (passEnv.isEmpty ? [] : ["--pass-env", passEnv.joined(separator: ",")]) + [workDir],
                           environment: SafeEnvironment.build(base: environment, passEnv: passEnv))
    }

    // MARK: gateway

    public func gateway(specs rawSpecs: [String], yes: Bool, detach: Bool, noSecurityWarning: Bool) async -> Int32 {
        banner(suppressed: noSecurityWarning)
        guard let config = store.load() else { err("Not logged in. Run `agentim login` first."); return 1 }
        let parsed = rawSpecs.map { ($0, AgentSpecParser.parse($0)) }
        let invalid = parsed.filter { $0.1 == nil }
        for (text, _) in invalid { err("Warning: invalid agent spec \"\(text)\" (expected name:type[:workdir])") }
        if rawSpecs.isEmpty {
            err("Warning: no agents given; the gateway only answers remote spawns from the web.")
            err("Warning: add agents with -a name:type[:workdir], e.g. -a bot:claude-code:~/project")
        } else if invalid.count == rawSpecs.count {
            err("Error: all \(invalid.count) agent specs are invalid")
            return 1
        } else if !invalid.isEmpty {
            err("Warning: \(invalid.count) invalid agent spec(s) skipped")
        }
        if detach {
            return startDaemon(name: "gateway", type: "gateway", workDir: FileManager.default.currentDirectoryPath, gatewayId: config.gatewayId,
                               arguments: ["gateway"] + rawSpecs.flatMap { ["--agent", $0] } + (yes ? ["--yes"] : []) + ["--no-security-warning"],
                               environment: environment)
        }
        let specs = parsed.compactMap { $0.1 }.map { GatewaySession.AgentSpec(name: $0.name, type: $0.type, workingDirectory: $0.workingDirectory) }
        let session = makeSession(mode: .gateway, specs: specs, config: config, level: yes ? .bypass : .interactive)
        return await runWithSignals(session)
    }

    func makeSession(mode: GatewaySession.Mode, specs: [GatewaySession.AgentSpec], config: HubConfig, level: PermissionLevel) -> GatewaySession {
        var settings = GatewaySession.Settings(url: config.serverUrl)
        // Test seams (§26.1): shorter timers from the environment.
        if let ms = environment["AGENTIM_PERMISSION_TIMEOUT_MS"].flatMap(Int.init), ms >= 1000 { settings.manager.permissionTimeoutMs = ms }
        if let ms = environment["AGENTIM_HEARTBEAT_MS"].flatMap(Int.init), ms >= 100 { settings.connection.heartbeatMs = ms }
        if let ms = environment["AGENTIM_RECONNECT_MS"].flatMap(Int.init), ms >= 10 { settings.connection.backoffInitialMs = ms }
        if let ms = environment["AGENTIM_RECOVERY_POLL_MS"].flatMap(Int.init), ms >= 10 { settings.recoveryPollMs = ms }
        if let ms = environment["AGENTIM_REFRESH_RETRY_MS"].flatMap(Int.init), ms >= 1 { settings.refreshRetryBaseMs = ms }
        return GatewaySession(mode: mode, specs: specs, config: config, store: store, settings: settings, sessionLevel: level, log: log,
                              makeAdapter: { type, options in try AdapterFactory.make(type: type, options: options) })
    }

    /// Manages the credentials of one agent type (`agentim <type> token`, §16.2).
    public func token(command: String) -> Int32 {
        do {
            let store = try CredentialStore(agentType: Self.agentType(forCommand: command), root: paths.root, box: SecretBox(home: paths.home))
            try CredentialManager(store: store, root: paths.root).run()
            return 0
        } catch {
            err("\(error)")
            return 1
        }
    }

    /// SIGINT, SIGTERM, SIGHUP → one graceful shutdown (§8.8); SIGPIPE ignored.
    func runWithSignals(_ session: GatewaySession) async -> Int32 {
        // Remote spawns and credential management answer from the local store (§16).
        let requests = CredentialRequests(paths: paths)
        await session.manager.setSpawnEnvironment { try requests.spawnEnvironment(agentType: $0, credentialId: $1) }
        await session.manager.setCredentialRequests { await requests.answer($0) }
        ResidentMemory.limitMallocArenas()
        signal(SIGPIPE, SIG_IGN)
        // A handler (not SIG_IGN, which agent children would inherit and then ignore our stop's
        // SIGTERM); the flag is polled, as a handler may do nothing else.
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { received in ShutdownSignal.received.store(received, ordering: .relaxed) }
        }
        let watcher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let sig = ShutdownSignal.received.load(ordering: .relaxed)
                if sig != 0 { await session.finish(code: 0, reason: "signal \(sig)"); return }
            }
        }
        let code = await session.run()
        watcher.cancel()
        return code
    }

    // MARK: daemons (§17)

    func startDaemon(name: String, type: String, workDir: String, gatewayId: String, arguments: [String], environment childEnv: [String: String]) -> Int32 {
        let daemons = DaemonStore(paths: paths)
        if let existing = daemons.read(name) {
            if ProcessIdentity.isAlive(existing.pid), ProcessIdentity.isOurs(existing.pid, strict: false), existing.pid != getpid() {
                err("\(name) is already running (pid \(existing.pid))")
                return 1
            }
            daemons.remove(name)  // stale record of a dead process (§25 Q20)
        }
        do {
            guard try daemons.reserve(DaemonRecord(pid: getpid(), name: name, type: type, workDir: workDir, gatewayId: gatewayId)) else {
                err("\(name) is being started by another process")
                return 1
            }
            let logFile = paths.logs.appendingPathComponent("\(name).log")
            try AgentIMPaths.makePrivateDirectory(paths.logs)
            DaemonLauncher.rotate(logFile)
            let pid = try DaemonLauncher.spawn(arguments: arguments, environment: childEnv, log: logFile)
            try daemons.write(DaemonRecord(pid: pid, name: name, type: type, workDir: workDir, gatewayId: gatewayId))
            guard DaemonLauncher.survives(pid) else {
                daemons.remove(name)
                err("\(name) exited at once; see \(logFile.path)")
                return 1
            }
            out("Started \(name) (pid \(pid))")
            out("Directory: \(workDir)")
            out("Log: \(logFile.path)")
            return 0
        } catch {
            daemons.remove(name)
            err("Cannot start \(name): \(error)")
            return 1
        }
    }

    public func list() -> Int32 {
        let entries = DaemonStore(paths: paths).listCleaning()
        guard !entries.isEmpty else { out("No running agents."); return 0 }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n - 1)) + " " : s + String(repeating: " ", count: n - s.count) }
        out(pad("Name", 40) + pad("Type", 14) + pad("PID", 8) + pad("Alive", 8) + "Started")
        out(String(repeating: "─", count: 86))
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        for (record, alive) in entries {
            let started = ISO8601DateFormatter().date(from: record.startedAt).map { formatter.string(from: $0) } ?? record.startedAt
            out(pad(record.name, 40) + pad(record.type, 14) + pad(String(record.pid), 8) + pad(alive ? "Yes" : "No", 8) + started)
        }
        return 0
    }

    public func stop(name: String) -> Int32 {
        guard DaemonStore.isValidName(name) else { err("Invalid name: \(name)"); return 0 }
        if DaemonStore(paths: paths).stop(name) { out("Stopped \(name)") } else { err("Could not stop \(name): not running") }
        return 0
    }

    public func remove(name: String) -> Int32 {
        guard DaemonStore.isValidName(name) else { err("Invalid name: \(name)"); return 0 }
        let daemons = DaemonStore(paths: paths)
        daemons.stop(name)
        daemons.remove(name)
        out("Removed \(name)")
        return 0
    }

    public func adapters() -> Int32 {
        let file = CustomAdapters.defaultFile()
        let list = AdapterFactory.customAdapters(adaptersFile: file)
        guard !list.isEmpty else {
            out("No custom adapters. Define them in \(file.path)")
            return 0
        }
        out("Custom adapters (\(file.path)):")
        for adapter in list {
            out("\(adapter.name)\t\t\(([adapter.command] + adapter.args).joined(separator: " "))\t\t\(adapter.description ?? "(no description)")")
        }
        return 0
    }
}
