import AgentIMCore
import Foundation

/// `telemetry_receiver.py` as a real local process: an OTLP/HTTP trace receiver (decoding each
/// ExportTraceServiceRequest with opentelemetry-proto) and a Sentry envelope endpoint.
final class TelemetryReceiver: @unchecked Sendable {
    let process = Process()
    let port: Int

    struct Span: Equatable {
        var traceId: String
        var spanId: String
        var parentSpanId: String
        var name: String
        var kind: Int
        var service: String
    }

    init() async throws {
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/EndToEndTests/Support/telemetry_receiver.py")
        port = TestEnvironment.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let reply = try? await HTTP.get(base + "/ready"), reply.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("telemetry_receiver.py did not start on port \(port) (is opentelemetry-proto installed?)")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// A DSN whose envelope endpoint is this receiver, project `42`.
    var sentryDSN: String { "http://agentimpublickey@127.0.0.1:\(port)/42" }

    func spans() async throws -> [Span] {
        guard case .array(let list) = try await HTTP.get(base + "/spans").body else { return [] }
        return list.compactMap { value in
            guard let traceId = value["traceId"]?.stringValue, let spanId = value["spanId"]?.stringValue,
                  let name = value["name"]?.stringValue else { return nil }
            var kind = 0
            if case .number(let number)? = value["kind"] { kind = Int(number) }
            return Span(traceId: traceId, spanId: spanId, parentSpanId: value["parentSpanId"]?.stringValue ?? "",
                        name: name, kind: kind, service: value["service"]?.stringValue ?? "")
        }
    }

    /// Every Sentry envelope received: `{project, auth, contentType, header, item, event}`.
    func sentryEvents() async throws -> [JSONValue] {
        guard case .array(let list) = try await HTTP.get(base + "/sentry").body else { return [] }
        return list
    }

    /// What the receiver could not decode (must stay empty).
    func refused() async throws -> [JSONValue] {
        guard case .array(let list) = try await HTTP.get(base + "/refused").body else { return [] }
        return list
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
