import Foundation

/// A slash command an agent offers (`gateway:register_agent`, `gateway:agent_info`; websocket.md §8.1).
public struct SlashCommand: Sendable, Equatable, Codable {
    public var name: String
    public var description: String
    public var usage: String?
    public var source: String?
    public init(name: String, description: String, usage: String? = nil, source: String? = nil) {
        self.name = name; self.description = description; self.usage = usage; self.source = source
    }
}
