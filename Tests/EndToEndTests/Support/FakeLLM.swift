import AgentIMCore
import Foundation

/// `fake_llm.py` as a real local HTTP server: an OpenAI-compatible endpoint whose behaviour
/// is chosen by the base URL (`baseURL("all")`, `baseURL("fail")`, …) and which counts calls.
final class FakeLLM: @unchecked Sendable {
    let process = Process()
    let port: Int

    init() throws {
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/EndToEndTests/Support/fake_llm.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestSetupError("fake_llm.py exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let portText = text.split(separator: " ").last?.split(separator: "\n").first, let port = Int(portText) else {
            throw TestSetupError("fake_llm.py said \(text)")
        }
        self.port = port
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

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
