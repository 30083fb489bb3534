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
        port = TestEnvironment.freePort()
        try await PythonHelper.start(process, script: "telemetry_receiver.py", port: port, readyPath: "/ready",
                                     failure: "telemetry_receiver.py did not start on port \(port) (is opentelemetry-proto installed?)")
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
