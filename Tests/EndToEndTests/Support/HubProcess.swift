import Foundation

/// One hub executable running as a real OS process on a loopback port.
final class HubProcess: @unchecked Sendable {
    let name: String
    let port: Int
    let process = Process()
    let logURL: URL

    let environment: [String: String]
    let fileLimit: Int?

    /// `fileLimit`: the process's open-file limit (soft and hard), set by util-linux's `prlimit`,
    /// which then runs the executable in its place (same pid).
    init(_ executable: String, port: Int = TestEnvironment.freePort(), environment: [String: String], fileLimit: Int? = nil) throws {
        name = executable
        self.environment = environment
        self.fileLimit = fileLimit
        self.port = port
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("\(executable)-\(port).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let binary = TestEnvironment.binDir.appendingPathComponent(executable)
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = ["--nofile=\(fileLimit):\(fileLimit)", "--", binary.path]
        } else {
            process.executableURL = binary
        }
        var env = ProcessInfo.processInfo.environment
        env["HOST"] = "127.0.0.1"
        env["PORT"] = String(port)
        env["LOG_LEVEL"] = "warn"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// The same executable again, on the same port with the same environment.
    func restarted() throws -> HubProcess {
        try HubProcess(name, port: port, environment: environment, fileLimit: fileLimit)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var wsURL: String { "ws://127.0.0.1:\(port)/ws/client" }

    /// Waits until `path` answers `status` (200 unless told).
    func waitUntilHealthy(path: String, status: Int = 200, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        // The last answer or error, so that a start that never got healthy says what it saw. An
        // attempt is bounded well inside the whole wait: one stuck exchange must not use it up.
        var last = "no answer"
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestSetupError("\(name) exited with \(process.terminationStatus): \(log)") }
            do {
                let response = try await HTTP.get(baseURL + path, timeout: .seconds(10))
                if response.status == status { return }
                last = "\(response.status) \(response.body)"
            } catch {
                last = "\(error)"
            }
            // A hub is up in about a third of a second: a coarse poll would add half its step to every start.
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("\(name) not healthy within \(timeout), last \(path): \(last); log: \(log)")
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// `kill -9`: no shutdown work at all.
    func kill9() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Ends the process at once (SIGKILL) and waits for it: a test's teardown. A graceful stop
    /// takes seconds (every background loop first finishes its blocking bus read, one after
    /// another) and no teardown asserts on it; a test that needs one calls `stopGracefully()`.
    func stop() { kill9() }

    /// SIGTERM, and waits until the process has finished its shutdown work.
    func stopGracefully() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
