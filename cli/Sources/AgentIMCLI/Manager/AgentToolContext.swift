import Foundation

/// The manager's side of the MCP tools (agent-cli.md §18), one per agent. It holds the
/// manager weakly: the manager owns the agent, whose adapter holds this context.
struct AgentToolContext: AgentIMToolContext {
    final class ManagerRef: @unchecked Sendable { weak var manager: AgentManager? }
    let agentId: String
    let ref: ManagerRef

    func sendMessage(targetAgent: String, content: String) async throws -> String {
        guard let manager = ref.manager else { throw AgentIMToolError.other("Gateway shutting down") }
        return try await manager.toolSend(agentId: agentId, targetAgent: targetAgent, content: content, conversationId: nil)
    }

    func requestReply(targetAgent: String, content: String, timeoutSeconds: Int) async throws -> (reply: String, agentName: String)? {
        guard let manager = ref.manager else { throw AgentIMToolError.other("Gateway shutting down") }
        return try await manager.toolRequestReply(agentId: agentId, targetAgent: targetAgent, content: content,
                                                  timeoutSeconds: min(max(timeoutSeconds, 1), 300))
    }

    func roomMessages(limit: Int) async -> [RoomMessageSummary] {
        // The hub's room context carries no recent messages (the original strips them too, §18).
        []
    }

    func roomMembers() async -> [RoomContext.Member] {
        await ref.manager?.toolMembers(agentId: agentId) ?? []
    }
}

extension AgentManager {
    /// At most this many `request_reply` calls wait per target name, gateway-wide (§18).
    static let maxPendingRepliesPerTarget = 10

    /// `send_message`: a chunk and a completion addressed to `targetAgent` in the agent's current room.
    func toolSend(agentId: String, targetAgent: String, content: String, conversationId: String?) async throws -> String {
        guard let roomId = currentRoom(of: agentId) else { throw AgentIMToolError.notInRoom }
        let messageId = NanoID.make()
        let chunk = WireChunk(type: "text", content: content)
        await send(GatewayFrame.chunk(roomId: roomId, agentId: agentId, messageId: messageId, chunk: chunk, targetAgentName: targetAgent))
        await send(GatewayFrame.complete(roomId: roomId, agentId: agentId, messageId: messageId, fullContent: content, chunks: [chunk],
                                         conversationId: conversationId, depth: nil, targetAgentName: targetAgent))
        return messageId
    }

    /// `request_reply`: the same frames under a new conversation; the `send_to_agent` that comes
    /// back with that conversation id is the answer, consumed here instead of reaching the adapter.
    func toolRequestReply(agentId: String, targetAgent: String, content: String, timeoutSeconds: Int) async throws -> (reply: String, agentName: String)? {
        guard currentRoom(of: agentId) != nil else { throw AgentIMToolError.notInRoom }
        guard pendingReplyCount(to: targetAgent) < Self.maxPendingRepliesPerTarget else { throw AgentIMToolError.tooManyPendingReplies(targetAgent) }
        let conversationId = NanoID.make()
        return try await withCheckedThrowingContinuation { continuation in
            awaitReply(conversationId: conversationId, target: targetAgent, continuation: continuation, timeoutSeconds: timeoutSeconds)
            Task {
                do {
                    _ = try await self.toolSend(agentId: agentId, targetAgent: targetAgent, content: content, conversationId: conversationId)
                } catch {
                    await self.failReply(conversationId: conversationId, error)
                }
            }
        }
    }

    func toolMembers(agentId: String) -> [RoomContext.Member] {
        guard let roomId = currentRoom(of: agentId) else { return [] }
        return roomContext(agentId: agentId, roomId: roomId)?.members ?? []
    }
}
