import AgentIMCore
import Foundation

/// A test's Python stand-in for an outside server (an LLM, a provider, a push service…):
/// `Support/<script> <port> [arguments]`, quiet, ready once `readyPath` answers 200.
enum PythonHelper {
    static func start(_ process: Process, script: String, port: Int, arguments: [String] = [], readyPath: String, failure: String) async throws {
        let path = TestEnvironment.packageRoot.appendingPathComponent("Tests/EndToEndTests/Support/\(script)")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path.path, String(port)] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let reply = try? await HTTP.get("http://127.0.0.1:\(port)\(readyPath)"), reply.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError(failure)
    }
}
