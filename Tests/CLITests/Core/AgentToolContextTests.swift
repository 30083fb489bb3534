import Foundation
import Testing
@testable import AgentIMCLI

/// The manager's side of the MCP tools (agent-cli.md §18): messages to other agents in the
/// current room, replies waited for by conversation, members from the room context.
@Suite struct AgentToolContextTests {
    @Test func sendAndRequestReplyGoToTheCurrentRoom() async throws {
        let (manager, sink, made) = Fixture.manager()
        let id = try await manager.addAgent(name: "lead", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let tools = try #require(made[0].options.toolContext)

        // In no room yet: the send tools refuse, the read tools are empty.
        await #expect(throws: AgentIMToolError.notInRoom) { try await tools.sendMessage(targetAgent: "helper", content: "x") }
        await #expect(throws: AgentIMToolError.notInRoom) { _ = try await tools.requestReply(targetAgent: "helper", content: "x", timeoutSeconds: 1) }
        #expect(await tools.roomMembers().isEmpty)

        await manager.handle(.roomContext(agentId: id, context: RoomContext(roomId: "r1", roomName: "Room", members: [
            .init(id: "u1", name: "alice", type: "user"), .init(id: "a2", name: "helper", type: "agent", agentType: "codex")])))
        await manager.handle(Fixture.message(id, room: "r1"))
        #expect(await sink.waitFor { _ in made[0].waitingCount(room: "r1") == 1 })
        #expect(await tools.roomMembers().map(\.name) == ["alice", "helper"])

        let sent = try await tools.sendMessage(targetAgent: "helper", content: "please review")
        let complete = try #require(sink.of("gateway:message_complete").last)
        #expect(complete["messageId"]?.stringValue == sent)
        #expect(complete["roomId"]?.stringValue == "r1")
        #expect(complete["targetAgentName"]?.stringValue == "helper")
        #expect(complete["fullContent"]?.stringValue == "please review")
        #expect(sink.of("gateway:message_chunk").last?["targetAgentName"]?.stringValue == "helper")

        // request_reply: the send_to_agent of its conversation is the answer, not a new prompt.
        let asked = Task { try await tools.requestReply(targetAgent: "helper", content: "2+2?", timeoutSeconds: 30) }
        #expect(await sink.waitFor { frames in frames.contains { $0["fullContent"]?.stringValue == "2+2?" } })
        let conversation = try #require(sink.of("gateway:message_complete").last?["conversationId"]?.stringValue)
        #expect(!conversation.isEmpty && conversation != "c1")
        let prompts = made[0].prompts.count
        await manager.handle(.sendToAgent(SendToAgent(agentId: id, roomId: "r1", messageId: "m9", content: "4", senderName: "helper",
                                                      senderType: "agent", conversationId: conversation, depth: 1)))
        let reply = try await asked.value
        #expect(reply?.reply == "4")
        #expect(reply?.agentName == "helper")
        #expect(made[0].prompts.count == prompts, "the answer is consumed, not given to the adapter")
    }

    @Test func repliesTimeOutAndAreBoundedPerTarget() async throws {
        let (manager, sink, made) = Fixture.manager()
        let id = try await manager.addAgent(name: "lead", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let tools = try #require(made[0].options.toolContext)
        await manager.handle(Fixture.message(id, room: "r1"))
        #expect(await sink.waitFor { _ in made[0].waitingCount(room: "r1") == 1 })

        #expect(try await tools.requestReply(targetAgent: "slow", content: "?", timeoutSeconds: 1) == nil, "nil means timed out")

        let waiting = (1...AgentManager.maxPendingRepliesPerTarget).map { _ in
            Task { try await tools.requestReply(targetAgent: "busy", content: "?", timeoutSeconds: 60) }
        }
        #expect(await sink.waitFor { frames in frames.filter { $0["targetAgentName"]?.stringValue == "busy" && $0["type"]?.stringValue == "gateway:message_complete" }.count == 10 })
        await #expect(throws: AgentIMToolError.tooManyPendingReplies("busy")) {
            _ = try await tools.requestReply(targetAgent: "busy", content: "?", timeoutSeconds: 1)
        }
        // Shutdown settles every waiting call as timed out.
        await manager.disposeAll()
        for call in waiting { #expect(try await call.value == nil) }
    }
}
