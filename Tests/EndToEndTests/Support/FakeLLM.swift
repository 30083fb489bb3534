import AgentIMCore
import Foundation

/// `fake_llm.py` as a real local HTTP server: an OpenAI-compatible endpoint whose behaviour
/// is chosen by the base URL (`baseURL("all")`, `baseURL("fail")`, …) and which counts calls.
final class FakeLLM: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// Starts the server on a free loopback port and waits until it answers.
    init() async throws {
        port = TestEnvironment.freePort()
        try await PythonHelper.start(process, script: "fake_llm.py", port: port, readyPath: "/calls",
                                     failure: "fake_llm.py did not start on port \(port)")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The `llmBaseUrl` that makes the server behave as `mode`.
    func baseURL(_ mode: String) -> String { "\(base)/v1/\(mode)" }

    /// How many chat requests carried `[m:<marker>]`, and in all.
    func calls() async throws -> (total: Int, byMarker: [String: Int]) {
        let reply = try await HTTP.get(base + "/calls")
        var byMarker: [String: Int] = [:]
        if case .object(let object)? = reply["byMarker"] {
            for (key, value) in object { if case .number(let n) = value { byMarker[key] = Int(n) } }
        }
        if case .number(let total)? = reply["total"] { return (Int(total), byMarker) }
        return (0, byMarker)
    }

    /// The last request as received: path, Authorization header and JSON body.
    func last() async throws -> JSONValue { try await HTTP.get(base + "/last").body }

    func setSwitch(_ mode: String) async throws {
        _ = try await HTTP.post(base + "/control", json: #"{"switch":"\#(mode)"}"#)
    }

    /// SIGKILL: the test runner may hand its children SIGTERM as ignored, and Python keeps that.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
