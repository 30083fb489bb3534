import AgentIMCore
import AgentIMRuntime
import Foundation

/// Agent frames for clients (websocket §7, §9.2), put on the bus for the edges.
struct AgentEvents: Sendable {
    let runtime: Runtime

    /// `server:agent_status` to each room the agent is a member of, one frame per room.
    func status(_ agent: AgentStore.Agent, rooms: [String]) async throws {
        let frame = AgentFrames.agentStatus(agent.statusSubset.json)
        for roomId in rooms { try await runtime.deliver(Delivery(audience: .room(roomId), frame: frame)) }
    }

    /// A non-persisted notice from `System` (websocket §11.1): offline agents, cooldowns.
    static func systemNotice(roomId: String, content: String) -> String {
        ServerFrame.newMessage(ChatMessage(id: Nanoid.make(), roomId: roomId, senderId: "system", senderType: "system",
                                           senderName: "System", type: "system", content: content, createdAt: Timestamp.format(Date())))
    }
}
