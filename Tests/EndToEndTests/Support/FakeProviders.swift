import AgentIMCore
import Foundation

/// `fake_providers.py` as a real local HTTP server speaking the seven service-agent providers'
/// APIs; the first path segment of a base URL picks the scenario (`baseURL("ok")`, …).
final class FakeProviders: @unchecked Sendable {
    let process = Process()
    let port: Int

    init() async throws {
        port = TestEnvironment.freePort()
        try await PythonHelper.start(process, script: "fake_providers.py", port: port, readyPath: "/state",
                                     failure: "fake_providers.py did not start on port \(port)")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func baseURL(_ scenario: String, root: String = "") -> String { "\(base)/\(scenario)\(root)" }

    /// The bytes the server serves as `/files/<name>`.
    func file(_ name: String) async throws -> [UInt8] {
        try await UploadRequests.download(base + "/ok/files/" + name).bytes
    }

    /// How often each task was polled, and every provider request as received.
    func state() async throws -> (polls: [String: Int], requests: [JSONValue]) {
        let reply = try await HTTP.get(base + "/state")
        var polls: [String: Int] = [:]
        for (task, count) in reply["polls"]?.objectValue ?? [:] { polls[task] = count.numberValue.map(Int.init) }
        return (polls, reply["requests"]?.arrayValue ?? [])
    }

    /// The last request (of `method`, when given) whose path contains `fragment`.
    func lastRequest(_ fragment: String, method: String? = nil) async throws -> JSONValue? {
        try await state().requests.last {
            $0["path"]?.stringValue?.contains(fragment) == true && (method == nil || $0["method"]?.stringValue == method)
        }
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
