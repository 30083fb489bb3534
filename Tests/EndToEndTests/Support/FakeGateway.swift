import AgentIMCore
import Foundation
import Testing

/// A real `/ws/gateway` client standing in for the `agentim` CLI: authenticates, registers
/// agents, and answers the hub with chunks, completes, statuses and permission requests.
struct FakeGateway {
    let socket: TestSocket
    let gatewayId: String
    /// The hub's `server:gateway_auth_result`.
    let authResult: JSONValue

    static var device: [String: Any] { ["hostname": "devbox", "platform": "linux", "arch": "x64", "nodeVersion": "v20.0.0"] }

    /// Connects to `<ws>/ws/gateway` (the fixture's `ws` ends in `/ws/client`) and authenticates.
    static func connect(ws: String, token: String, gatewayId: String = Nanoid.make(), expectOK: Bool = true) async throws -> FakeGateway {
        let url = ws.replacingOccurrences(of: "/ws/client", with: "/ws/gateway")
        let socket = TestSocket(url: url)
        socket.send(["type": "gateway:auth", "token": token, "gatewayId": gatewayId, "protocolVersion": "1", "deviceInfo": device])
        let result = try #require(await socket.next(type: "server:gateway_auth_result"), "no gateway auth result")
        if expectOK { #expect(result["ok"] == .bool(true), "gateway auth: \(result)") }
        return FakeGateway(socket: socket, gatewayId: gatewayId, authResult: result)
    }

    /// Registers an agent and waits until the hub has it (a ping round trip after rooms answered).
    func register(id: String, name: String, type: String = "claude-code", capabilities: [String] = []) async {
        socket.send(["type": "gateway:register_agent", "agent": ["id": id, "name": name, "type": type, "capabilities": capabilities]])
        socket.send(["type": "gateway:ping", "ts": 1])
        _ = await socket.next(type: "server:pong")
    }

    func chunk(agent: String, room: String, message: String, text: String, type: String = "text") {
        socket.send(["type": "gateway:message_chunk", "agentId": agent, "roomId": room, "messageId": message,
                     "chunk": ["type": type, "content": text]])
    }

    func complete(agent: String, room: String, message: String = Nanoid.make(), text: String,
                  conversationId: String? = nil, depth: Int? = nil) {
        var frame: [String: Any] = ["type": "gateway:message_complete", "agentId": agent, "roomId": room, "messageId": message,
                                    "fullContent": text, "chunks": [["type": "text", "content": text]]]
        if let conversationId { frame["conversationId"] = conversationId }
        if let depth { frame["depth"] = depth }
        socket.send(frame)
    }

    /// The next `server:send_to_agent` for `agent` (others are skipped).
    func nextWork(for agent: String, timeout: Duration = .seconds(10)) async -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let work = await socket.next(type: "server:send_to_agent", timeout: deadline - ContinuousClock.now) else { return nil }
            if work["agentId"]?.stringValue == agent { return work }
        }
        return nil
    }

    func close() { socket.close() }
}
