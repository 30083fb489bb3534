import AgentIMCore
import Foundation

/// `push_service.py` as a real local Web Push service: it hands out browser-like
/// subscriptions, checks each push's VAPID JWT and decrypts it with the subscription's key.
final class PushService: @unchecked Sendable {
    let process = Process()
    let port = TestEnvironment.freePort()

    struct Push: Sendable {
        let name: String
        let payload: JSONValue?
        let errors: [String]
        let status: Int
        let urgency: String?
        let ttl: String?
        let vapidKey: String?
        /// The VAPID JWT's `sub` claim (the `push.vapidSubject` setting).
        let subject: String?
    }

    init() async throws {
        try await PythonHelper.start(process, script: "push_service.py", port: port, readyPath: "/health",
                                     failure: "push_service.py did not start (pip install cryptography)")
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// A new browser subscription, as the JSON body of `POST /api/push/subscribe`.
    func subscription(_ name: String) async throws -> String {
        let reply = try await HTTP.post(base + "/subscriptions", json: #"{"name":"\#(name)"}"#)
        guard reply.status == 200 else { throw TestSetupError("push service: \(reply.body)") }
        return String(decoding: try JSONEncoder().encode(reply.body), as: UTF8.self)
    }

    /// `ok`, `gone` (410), `fail:N` (503 N times), `slow` (answers after 30 s).
    func setMode(_ name: String, _ mode: String) async throws {
        _ = try await HTTP.post(base + "/control", json: #"{"name":"\#(name)","mode":"\#(mode)"}"#)
    }

    func received() async throws -> [Push] {
        let reply = try await HTTP.get(base + "/received")
        return (reply.body.arrayValue ?? []).map { item in
            Push(name: item["name"]?.stringValue ?? "", payload: item["payload"],
                 errors: (item["errors"]?.arrayValue ?? []).compactMap(\.stringValue),
                 status: item["status"].flatMap { if case .number(let n) = $0 { Int(n) } else { nil } } ?? 0,
                 urgency: item["headers"]?["Urgency"]?.stringValue, ttl: item["headers"]?["TTL"]?.stringValue,
                 vapidKey: item["vapidKey"]?.stringValue, subject: item["sub"]?.stringValue)
        }
    }

    /// Pushes accepted for `name` (answered 201).
    func delivered(_ name: String) async throws -> [Push] {
        try await received().filter { $0.name == name && $0.status == 201 }
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
