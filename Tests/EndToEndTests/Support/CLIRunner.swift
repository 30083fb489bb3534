import Foundation
import Testing

/// The real `agentim` binary run as a process against a test hub, with its own `~/.agentim`
/// (AGENTIM_HOME) and a fake agent command registered in `adapters.json`.
final class CLIRunner: @unchecked Sendable {
    let home: URL
    var agentimHome: URL { home.appendingPathComponent(".agentim") }
    var extraEnvironment: [String: String] = [:]
    private var background: [Process] = []

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    var executable: URL { TestEnvironment.binDir.appendingPathComponent("agentim") }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["AGENTIM_HOME"] = agentimHome.path
        env["AGENTIM_NO_SECURITY_WARNING"] = "1"
        env["LOG_LEVEL"] = "debug"
        // Short timers so reconnects and recovery happen within a test (§26.1 seams).
        env["AGENTIM_RECONNECT_MS"] = "200"
        env["AGENTIM_RECOVERY_POLL_MS"] = "300"
        env["AGENTIM_REFRESH_RETRY_MS"] = "50"
        for (key, value) in extraEnvironment { env[key] = value }
        return env
    }

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// Runs a command to its end.
    func run(_ arguments: [String], environment extra: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = environment
        for (key, value) in extra { env[key] = value }
        process.environment = env
        let out = home.appendingPathComponent("out-\(UUID().uuidString.prefix(6))")
        let err = home.appendingPathComponent("err-\(UUID().uuidString.prefix(6))")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Starts a long-running command (a gateway); its output goes to `log`.
    func start(_ arguments: [String], log name: String = "gateway") throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let log = home.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        background.append(process)
        return process
    }

    func log(_ name: String = "gateway") -> String {
        (try? String(contentsOf: home.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    func login(base: String, username: String, password: String, totp: String? = nil) async throws -> Result {
        var extra = ["AGENTIM_PASSWORD": password]
        if let totp { extra["AGENTIM_TOTP_CODE"] = totp }
        return try await run(["login", "-s", base, "-u", username], environment: extra)
    }

    /// A fake agent command (§26.5): prints `echo:` and each prompt line, one line per chunk,
    /// `delay` seconds apart; then `lines` numbered lines more.
    func installFakeAgent(name: String = "echoer", delay: Double = 0.02, lines: Int = 3) throws {
        let script = home.appendingPathComponent("fake-agent-\(name).py")
        let body = """
        #!/usr/bin/env python3
        import sys, time
        prompt = sys.stdin.read()
        last = prompt.strip().split("\\n")[-1]
        print("echo: " + last, flush=True)
        for i in range(\(lines)):
            time.sleep(\(delay))
            print("line %d" % (i + 1), flush=True)
        """
        try body.write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        try FileManager.default.createDirectory(at: agentimHome, withIntermediateDirectories: true)
        var adapters = (try? JSONSerialization.jsonObject(with: Data(contentsOf: agentimHome.appendingPathComponent("adapters.json")))) as? [String: Any] ?? [:]
        adapters[name] = ["command": script.path, "promptVia": "stdin", "description": "test echo agent"]
        try JSONSerialization.data(withJSONObject: adapters).write(to: agentimHome.appendingPathComponent("adapters.json"))
    }

    /// A CLI home with the fake agent installed (unless `fakeAgent` is nil), logged in to `base`:
    /// how every gateway test begins. The caller stops what it starts with `stopAll()`.
    static func loggedIn(base: String, username: String = "amy", password: String = "Passw0rdXY",
                         fakeAgent: (delay: Double, lines: Int)? = (0.02, 3),
                         environment: [String: String] = [:]) async throws -> CLIRunner {
        let cli = try CLIRunner()
        cli.extraEnvironment = environment
        if let fakeAgent { try cli.installFakeAgent(delay: fakeAgent.delay, lines: fakeAgent.lines) }
        #expect(try await cli.login(base: base, username: username, password: password).status == 0, "agentim login")
        return cli
    }

    func stopAll() {
        for process in background where process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        background = []
    }

    deinit { stopAll() }
}

extension Fixture {
    /// Waits until `count` agents with these names are online for `token`; returns name → id.
    func onlineAgents(_ names: Set<String>, token: String, timeout: Duration = .seconds(30)) async throws -> [String: String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let listed = try await get("/api/agents", token).data?.arrayValue ?? []
            var found: [String: String] = [:]
            for agent in listed where agent["status"]?.stringValue != "offline" {
                if let name = agent["name"]?.stringValue, names.contains(name), let id = agent["id"]?.stringValue { found[name] = id }
            }
            if Set(found.keys) == names { return found }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSetupError("agents \(names) not online within \(timeout)")
    }

    func addAgent(_ agentId: String, to room: String, token: String) async throws {
        let added = try await post("/api/rooms/\(room)/members", #"{"memberId":"\#(agentId)","memberType":"agent"}"#, token)
        #expect(added.status == 201, "add agent: \(added.body)")
    }
}
