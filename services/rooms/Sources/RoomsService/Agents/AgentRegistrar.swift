import AgentIMCore
import AgentIMRuntime
import Foundation

/// Gateways signing in and agents registering (websocket §2.4 steps 5–7, §11.5, §11.6),
/// answered to the edge that holds the socket; the side effects go out on the bus.
struct AgentRegistrar: Sendable {
    let service: RoomsService
    var runtime: Runtime { service.runtime }
    var store: AgentStore { service.agents }

    func connect(_ login: GatewayLogin) async throws -> GatewayAdmission {
        let cap = try await store.gatewayCap(userId: login.userId) ?? runtime.settings.int("ws.maxGatewaysPerUser")
        if login.liveSockets >= cap { return GatewayAdmission(ok: false, error: "Too many gateway connections") }
        let device = login.deviceInfo
        let hostname = device["hostname"]?.stringValue ?? "gateway"
        let stored = try await store.connectGateway(id: login.gatewayId, userId: login.userId, hostname: hostname,
                                                    platform: device["platform"]?.stringValue, arch: device["arch"]?.stringValue,
                                                    nodeVersion: device["nodeVersion"]?.stringValue, ephemeral: login.ephemeral)
        guard stored else { return GatewayAdmission(ok: false, error: "Gateway ID belongs to another user") }
        try await runtime.deliver(Delivery(audience: .user(login.userId), frame: AgentFrames.agentsChanged))
        return GatewayAdmission(ok: true)
    }

    func register(_ registration: AgentRegistrationRequest) async throws -> AgentRegistration {
        let agent = registration.agent
        guard let id = agent["id"]?.stringValue, let name = agent["name"]?.stringValue, let type = agent["type"]?.stringValue else { return .foreign }
        // Deleted while its gateway was offline: refuse once, then forget (§11.5 step 1).
        if try await store.takeDeletedFlag(id) { return .removed }
        if let existing = try await store.find(id), existing.userId != registration.userId { return .foreign }
        func json(_ key: String) -> String? {
            guard let value = agent[key], value != .null else { return nil }
            return try? JSONCoding.encodeString(value)
        }
        try await store.register(AgentStore.Registration(
            id: id, name: name, type: type, gatewayId: registration.gatewayId, workingDirectory: agent["workingDirectory"]?.stringValue,
            capabilitiesJSON: json("capabilities"), slashCommandsJSON: json("slashCommands"), mcpServersJSON: json("mcpServers"),
            model: agent["model"]?.stringValue))
        guard let stored = try await store.find(id) else { return .foreign }
        let rooms = try await store.rooms(of: id)
        try await service.agentEvents.status(stored, rooms: rooms)
        try await runtime.deliver(Delivery(audience: .user(registration.userId), frame: AgentFrames.agentsChanged))
        for roomId in rooms {
            if let context = try await roomContext(roomId) {
                try await runtime.deliver(Delivery(audience: .agent(id), frame: AgentFrames.roomContext(agentId: id, context: context)))
            }
        }
        return .registered
    }

    /// RoomContext (websocket §4.6): the room, its system prompt, members with names, and
    /// the last 20 messages oldest first, each cut to 500 characters.
    func roomContext(_ roomId: String) async throws -> JSONValue? {
        guard let room = try await service.rooms.find(roomId) else { return nil }
        var members: [JSONValue] = []
        let agentRows = Dictionary(try await store.members(of: roomId).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for member in try await service.rooms.membersWithNames(roomId: roomId, limit: 1000, offset: 0) {
            var object: [String: JSONValue] = ["id": .string(member.memberId), "type": .string(member.memberType)]
            if member.memberType == "agent" {
                guard let agent = agentRows[member.memberId] else { continue }
                object["name"] = .string(agent.name)
                object["agentType"] = .string(agent.type)
                if let capabilities = agent.capabilities { object["capabilities"] = .array(capabilities.map(JSONValue.string)) }
                object["status"] = .string(agent.status)
            } else {
                guard let name = member.displayName else { continue }
                object["name"] = .string(name)
            }
            if let description = member.roleDescription { object["roleDescription"] = .string(description) }
            members.append(.object(object))
        }
        var recent: [JSONValue] = []
        for (senderName, senderType, content, createdAt) in try await service.messages.recentForContext(roomId: roomId) {
            recent.append(.object(["senderName": .string(senderName), "senderType": .string(senderType),
                                   "content": .string(String(content.prefix(500))), "createdAt": .string(Timestamp.format(createdAt))]))
        }
        var context: [String: JSONValue] = ["roomId": .string(room.id), "roomName": .string(room.name),
                                            "members": .array(members), "recentMessages": .array(recent)]
        if let prompt = room.systemPrompt { context["systemPrompt"] = .string(prompt) }
        return .object(context)
    }

    /// Sends the room's context to every agent member (after room changes, §11.6).
    func contextChanged(_ roomId: String) async throws {
        guard let context = try await roomContext(roomId) else { return }
        for agent in try await store.members(of: roomId) {
            try await runtime.deliver(Delivery(audience: .agent(agent.id), frame: AgentFrames.roomContext(agentId: agent.id, context: context)))
        }
    }
}
