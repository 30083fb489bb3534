import Foundation

/// One message of a room as `get_room_messages` returns it (§18).
public struct RoomMessageSummary: Sendable, Codable, Equatable {
    public var sender: String
    public var senderType: String
    public var content: String
    public var timestamp: String
    public init(sender: String, senderType: String, content: String, timestamp: String) {
        self.sender = sender; self.senderType = senderType; self.content = content; self.timestamp = timestamp
    }
}

/// What the MCP tools need from the agent manager (§18). The manager implements it per agent:
/// it knows the agent's current room, sends the frames and waits for replies.
public protocol AgentIMToolContext: Sendable {
    /// Sends `content` to the current room addressed to `targetAgent`; returns the new message id.
    /// Throws `AgentIMToolError.notInRoom` when the agent is in no room.
    func sendMessage(targetAgent: String, content: String) async throws -> String
    /// Sends and waits for the reply; nil when `timeoutSeconds` passed without one.
    func requestReply(targetAgent: String, content: String, timeoutSeconds: Int) async throws -> (reply: String, agentName: String)?
    /// Last `limit` messages of the current room's stored context (empty when in no room).
    func roomMessages(limit: Int) async -> [RoomMessageSummary]
    /// Members of the current room's stored context (empty when in no room).
    func roomMembers() async -> [RoomContext.Member]
}

public enum AgentIMToolError: Error, CustomStringConvertible, Equatable {
    case notInRoom
    case tooManyPendingReplies(String)
    case other(String)

    public var description: String {
        switch self {
        case .notInRoom: return "Agent is not in a room"
        case .tooManyPendingReplies(let name): return "Too many pending replies to \(name)"
        case .other(let text): return text
        }
    }
}
