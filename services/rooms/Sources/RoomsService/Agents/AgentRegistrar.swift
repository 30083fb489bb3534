import AgentIMCore
import AgentIMRuntime
import Foundation
import PostgresNIO

/// Gateways signing in and agents registering (websocket §2.4 steps 5–7, §11.5, §11.6),
/// answered to the edge that holds the socket; the side effects go out on the bus.
struct AgentRegistrar: Sendable {
    let service: RoomsService
    var runtime: Runtime { service.runtime }
    var store: AgentStore { service.agents }
    var database: PostgresClient { store.database.client }

    func connect(_ login: GatewayLogin) async throws -> GatewayAdmission {
        var cap = runtime.settings.int("ws.maxGatewaysPerUser")
        for try await value in try await database.query("SELECT max_gateways FROM users WHERE id = \(login.userId)", logger: store.logger).decode(Int?.self) {
            if let value { cap = value }
        }
        if login.liveSockets >= cap { return GatewayAdmission(ok: false, error: "Too many gateway connections") }
        let device = login.deviceInfo
        let hostname = device["hostname"]?.stringValue ?? "gateway"
        let rows = try await database.query("""
            INSERT INTO gateways (id, user_id, name, hostname, platform, arch, node_version, connected_at, disconnected_at, ephemeral, created_at)
            VALUES (\(login.gatewayId), \(login.userId), \(hostname), \(hostname), \(device["platform"]?.stringValue),
                    \(device["arch"]?.stringValue), \(device["nodeVersion"]?.stringValue), now(), NULL, \(login.ephemeral), now())
            ON CONFLICT (id) DO UPDATE SET connected_at = now(), disconnected_at = NULL, hostname = EXCLUDED.hostname,
                platform = EXCLUDED.platform, arch = EXCLUDED.arch, node_version = EXCLUDED.node_version
            WHERE gateways.user_id = EXCLUDED.user_id
            RETURNING id
            """, logger: store.logger)
        var stored = false
        for try await _ in rows { stored = true }
        guard stored else { return GatewayAdmission(ok: false, error: "Gateway ID belongs to another user") }
        try await runtime.deliver(Delivery(audience: .user(login.userId), frame: AgentFrames.agentsChanged))
        return GatewayAdmission(ok: true)
    }

    func register(_ registration: AgentRegistrationRequest) async throws -> AgentRegistration {
        let agent = registration.agent
        guard let id = agent["id"]?.stringValue, let name = agent["name"]?.stringValue, let type = agent["type"]?.stringValue else { return .foreign }
        // Deleted while its gateway was offline: refuse once, then forget (§11.5 step 1).
        for try await _ in try await database.query("DELETE FROM deleted_agents WHERE agent_id = \(id) RETURNING agent_id", logger: store.logger) {
            return .removed
        }
        if let existing = try await store.find(id), existing.userId != registration.userId { return .foreign }
        func json(_ key: String) -> String? {
            guard let value = agent[key], value != .null else { return nil }
            return try? JSONCoding.encodeString(value)
        }
        try await database.withTransaction(logger: store.logger) { tx in
            // Another online agent of this gateway with the same name is a stale copy (§11.5 step 3).
            try await tx.query("""
                UPDATE agents SET status = 'offline' WHERE gateway_id = \(registration.gatewayId) AND name = \(name) AND id <> \(id) AND status = 'online'
                """, logger: store.logger)
            try await tx.query("""
                INSERT INTO agents (id, name, type, status, gateway_id, working_directory, capabilities, connection_type, slash_commands,
                                    mcp_servers, model, last_seen_at, created_at, updated_at)
                VALUES (\(id), \(name), \(type), 'online', \(registration.gatewayId), \(agent["workingDirectory"]?.stringValue),
                        \(json("capabilities"))::jsonb, 'cli', \(json("slashCommands"))::jsonb, \(json("mcpServers"))::jsonb,
                        \(agent["model"]?.stringValue), now(), now(), now())
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, status = 'online',
                    working_directory = EXCLUDED.working_directory, capabilities = EXCLUDED.capabilities, connection_type = 'cli',
                    slash_commands = EXCLUDED.slash_commands, mcp_servers = EXCLUDED.mcp_servers, model = EXCLUDED.model,
                    last_seen_at = now(), updated_at = now(), queue_depth = 0
                """, logger: store.logger)
        }
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
        for try await (senderName, senderType, content, createdAt) in try await database.query("""
            SELECT sender_name, sender_type, content, created_at FROM (
                SELECT sender_name, sender_type, content, created_at, seq FROM messages WHERE room_id = \(roomId)
                ORDER BY created_at DESC, id DESC LIMIT 20) m ORDER BY created_at, seq
            """, logger: store.logger).decode((String, String, String, Date).self) {
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
