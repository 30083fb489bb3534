import Foundation

/// `server:room_context.context` (websocket.md §4.6), as the prompt builder needs it.
public struct RoomContext: Sendable, Codable, Equatable {
    public struct Member: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var type: String            // "user" | "agent"
        public var agentType: String?
        public var capabilities: [String]?
        public var roleDescription: String?
        public var status: String?
        public init(id: String, name: String, type: String, agentType: String? = nil, capabilities: [String]? = nil, roleDescription: String? = nil, status: String? = nil) {
            self.id = id; self.name = name; self.type = type; self.agentType = agentType
            self.capabilities = capabilities; self.roleDescription = roleDescription; self.status = status
        }
    }
    public var roomId: String
    public var roomName: String
    public var systemPrompt: String?
    public var members: [Member]
    public init(roomId: String, roomName: String, systemPrompt: String? = nil, members: [Member] = []) {
        self.roomId = roomId; self.roomName = roomName; self.systemPrompt = systemPrompt; self.members = members
    }
}
