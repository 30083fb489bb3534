import AgentIMCore
import Foundation
import Testing

/// Broadcast-mode routing and service agents end to end: a human message in a broadcast
/// room goes through the router service to a local OpenAI-compatible server (`fake_llm.py`)
/// and back to the chosen agents' gateway; a mentioned service agent answers in the room.
@Suite(.serialized)
struct AgentRoutingTests {
    @Test func broadcastRoomRoutesByTheLLMAndFallsBackToNothing() async throws {
        let llm = try await FakeLLM()
        defer { llm.stop() }
        let (hub, process) = try await Fixture.singleProcess(extra: ["ROUTER_ALLOW_PRIVATE_URLS": "true"])
        defer { process.stop() }
        let s = try await AgentGatewayTests.setup(hub, agents: [("agent-a", "alpha"), ("agent-b", "beta")], broadcast: true)
        defer { s.gateway.close(); s.client.close() }

        let created = try await hub.post("/api/routers", #"{"name":"picker","llmBaseUrl":"\#(llm.baseURL("named"))","llmApiKey":"sk-test-123456","llmModel":"fake"}"#, s.amy.token)
        #expect(created.status == 201, "\(created.body)")
        let routerId = try #require(created.data?["id"]?.stringValue)
        #expect(try await hub.put("/api/rooms/\(s.room)", #"{"routerId":"\#(routerId)"}"#, s.amy.token).status == 200)

        // No mention: the LLM picks beta (named in the text); only beta's gateway gets work.
        let human = try await hub.send(s.client, room: s.room, "could beta look at the flaky test")
        let work = try #require(await s.gateway.nextWork(for: "agent-b"))
        #expect(work["routingMode"]?.stringValue == "broadcast")
        #expect(work["messageId"] == human["id"])
        #expect(work["depth"] == .number(0))
        #expect(await s.gateway.socket.next(type: "server:send_to_agent", timeout: .seconds(1)) == nil, "alpha was not chosen")
        let asked = try await llm.last()
        #expect(asked["authorization"]?.stringValue == "Bearer sk-test-123456")
        #expect(asked["body"]?["messages"]?.arrayValue?.first?["role"]?.stringValue == "developer")

        // A mention still wins over the router in a broadcast room.
        _ = try await hub.send(s.client, room: s.room, "@alpha only you")
        #expect(try #require(await s.gateway.nextWork(for: "agent-a"))["routingMode"]?.stringValue == "direct")

        // The LLM down: the message is stored, nobody is sent anything, nobody is told.
        #expect(try await hub.put("/api/routers/\(routerId)", #"{"llmBaseUrl":"\#(llm.baseURL("fail"))"}"#, s.amy.token).status == 200)
        _ = try await hub.send(s.client, room: s.room, "beta, are you there")
        #expect(await s.gateway.socket.next(type: "server:send_to_agent", timeout: .seconds(2)) == nil)
    }

    @Test func mentionedServiceAgentAnswersInTheRoom() async throws {
        let llm = try await FakeLLM()
        defer { llm.stop() }
        let (hub, process) = try await Fixture.singleProcess(extra: ["ROUTER_ALLOW_PRIVATE_URLS": "true"])
        defer { process.stop() }
        let s = try await AgentGatewayTests.setup(hub, agents: [("agent-a", "alpha")])
        defer { s.gateway.close(); s.client.close() }
        let created = try await hub.post("/api/service-agents", #"{"name":"Echo","type":"openai-chat","config":{"baseUrl":"\#(llm.baseURL("chat"))","apiKey":"sk-echo-1234","model":"fake"}}"#)
        #expect(created.status == 201, "\(created.body)")

        _ = try await hub.send(s.client, room: s.room, "@echo say hi")
        var reply: JSONValue?
        while reply == nil, let frame = await s.client.next(type: "server:new_message", timeout: .seconds(10)) {
            if frame["message"]?["senderType"]?.stringValue == "agent" { reply = frame["message"] }
        }
        let message = try #require(reply, "the service agent answered")
        #expect(message["senderName"]?.stringValue == "Echo")
        #expect(message["type"]?.stringValue == "agent_response")
        #expect(message["content"]?.stringValue?.contains("say hi") == true)
        let history = try await hub.get("/api/messages/rooms/\(s.room)", s.amy.token)
        #expect(history.data?["items"]?.arrayValue?.first?["id"] == message["id"], "persisted")
    }
}
