import Foundation
import Testing
@testable import AgentIMCLI

/// The agentim MCP tools (§18) through the JSON-RPC handler.
@Suite struct MCPToolServerTests {
    actor FakeContext: AgentIMToolContext {
        var sent: [(String, String)] = []
        let inRoom: Bool
        init(inRoom: Bool) { self.inRoom = inRoom }
        func sendMessage(targetAgent: String, content: String) async throws -> String {
            guard inRoom else { throw AgentIMToolError.notInRoom }
            sent.append((targetAgent, content))
            return "msg-1"
        }
        func requestReply(targetAgent: String, content: String, timeoutSeconds: Int) async throws -> (reply: String, agentName: String)? {
            guard inRoom else { throw AgentIMToolError.notInRoom }
            return timeoutSeconds > 200 ? nil : ("pong", targetAgent)
        }
        func roomMessages(limit: Int) async -> [RoomMessageSummary] {
            inRoom ? (0..<60).map { RoomMessageSummary(sender: "u", senderType: "user", content: "m\($0)", timestamp: "t") } : []
        }
        func roomMembers() async -> [RoomContext.Member] {
            inRoom ? [RoomContext.Member(id: "1", name: "Alice", type: "user"), RoomContext.Member(id: "2", name: "Bot", type: "agent", agentType: "codex", status: "online")] : []
        }
    }

    func call(_ server: MCPToolServer, _ name: String, _ args: [String: Any] = [:]) async throws -> ([String: Any], Bool) {
        let response = try #require(await server.handle(["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": name, "arguments": args]]))
        let result = try #require(response["result"] as? [String: Any])
        let text = try #require((result["content"] as? [[String: Any]])?.first?["text"] as? String)
        return (try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]), result["isError"] as? Bool ?? false)
    }

    @Test func initializeAndList() async throws {
        let server = MCPToolServer(context: FakeContext(inRoom: true))
        let initialize = try #require(await server.handle(["jsonrpc": "2.0", "id": 0, "method": "initialize", "params": ["protocolVersion": "2025-03-26"]]))
        let info = (initialize["result"] as? [String: Any])?["serverInfo"] as? [String: Any]
        #expect(info?["name"] as? String == "agentim" && info?["version"] as? String == "1.0.0")
        #expect(await server.handle(["jsonrpc": "2.0", "method": "notifications/initialized"]) == nil)
        let list = try #require(await server.handle(["jsonrpc": "2.0", "id": 2, "method": "tools/list"]))
        let names = ((list["result"] as? [String: Any])?["tools"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["send_message", "request_reply", "get_room_messages", "list_room_members"])
    }

    @Test func toolsInARoom() async throws {
        let context = FakeContext(inRoom: true)
        let server = MCPToolServer(context: context)
        #expect(try await call(server, "send_message", ["target_agent": "Bot", "content": "hi"]).0["messageId"] as? String == "msg-1")
        #expect(try await call(server, "request_reply", ["target_agent": "Bot", "content": "ping"]).0["reply"] as? String == "pong")
        #expect(try await call(server, "request_reply", ["target_agent": "Bot", "content": "ping", "timeout_seconds": 900]).0["timeout"] as? Bool == true)
        #expect((try await call(server, "get_room_messages", ["limit": 500]).0["messages"] as? [Any])?.count == 50)
        let members = try await call(server, "list_room_members").0["members"] as? [[String: Any]]
        #expect(members?.count == 2 && members?[1]["agentType"] as? String == "codex" && members?[0]["agentType"] == nil)
    }

    @Test func outsideARoom() async throws {
        let server = MCPToolServer(context: FakeContext(inRoom: false))
        let (sent, isError) = try await call(server, "send_message", ["target_agent": "Bot", "content": "hi"])
        #expect(isError && sent["error"] as? String == "Agent is not in a room")
        #expect((try await call(server, "get_room_messages").0["messages"] as? [Any])?.isEmpty == true)
        #expect(try await call(server, "send_message", ["content": "x"]).1)
    }
}
