import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird
import PostgresNIO

/// `/api/agents` (http-api §8). Agents and gateways are created by gateways over
/// `/ws/gateway`; here they are listed, renamed, shared, spawned and deleted.
struct AgentsController {
    let service: RoomsService
    var store: AgentStore { service.agents }
    var database: PostgresClient { store.database.client }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.get("shared", use: shared)
        group.get("gateways/list", use: gateways)
        group.delete("gateways/:gatewayId", use: deleteGateway)
        group.post("spawn", use: spawn)
        group.get(":id", use: get)
        group.put(":id", use: update)
        group.delete(":id", use: delete)
    }

    func paging(_ request: Request) -> (limit: Int, offset: Int) {
        (Paging.clamped(request.uri.queryParameters.get("limit"), default: 100, range: 1...500),
         Paging.clamped(request.uri.queryParameters.get("offset"), default: 0, range: 0...Int.max))
    }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let page = paging(request)
        return ok(try await store.owned(by: caller.id, limit: page.limit, offset: page.offset).map { $0.rest() })
    }

    func shared(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let page = paging(request)
        return ok(try await store.shared(excluding: caller.id, limit: page.limit, offset: page.offset).map { $0.0.rest(ownerName: $0.1) })
    }

    func get(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard let agent = try await store.find(id), Self.visible(agent, to: caller.id) else { throw APIError(404, "Agent not found") }
        return ok(agent.rest())
    }

    static func visible(_ agent: AgentStore.Agent, to userId: String) -> Bool {
        agent.userId == userId || agent.visibility == "all" || (agent.visibility == "whitelist" && agent.visibilityList.contains(userId))
    }

    func update(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        var reader = FieldReader(try await request.jsonBody())
        let name = reader.string("name", min: 1, max: 100, optional: true)
        if let name, name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { reader.fail("name", "validation.nameWhitespace") }
        let visibility = reader.oneOf("visibility", ["private", "all", "whitelist"])
        let visibilityList = reader.stringArray("visibilityList", maxItems: 500, maxLength: 100)
        if visibility == "whitelist", visibilityList?.isEmpty ?? true { reader.fail("visibilityList", "validation.visibilityListRequired") }
        try reader.check()
        guard let agent = try await store.find(id) else { throw APIError(404, "Agent not found") }
        guard agent.userId == caller.id else { throw APIError(403, "You do not own this agent") }
        let listJSON = try visibilityList.map { try JSONCoding.encodeString($0) }
        try await database.query("""
            UPDATE agents SET name = COALESCE(\(name), name), visibility = COALESCE(\(visibility), visibility),
                visibility_list = COALESCE(\(listJSON)::jsonb, visibility_list), updated_at = now()
            WHERE id = \(id)
            """, logger: store.logger)
        guard let updated = try await store.find(id) else { throw APIError(404, "Agent not found") }
        try await service.agentEvents.status(updated, rooms: try await store.rooms(of: id))
        return ok(updated.rest())
    }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard let agent = try await store.find(id) else { throw APIError(404, "Agent not found") }
        guard agent.userId == caller.id else { throw APIError(403, "You do not own this agent") }
        try await remove([agent], flagging: .offline, deleteGateway: nil)
        return okEmpty()
    }

    func gateways(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        typealias Row = (String, String, String, String?, String?, String?, String?, Date?, Date?, Bool, Date)
        var rows: [JSONValue] = []
        for try await g in try await database.query("""
            SELECT id, user_id, name, hostname, platform, arch, node_version, connected_at, disconnected_at, ephemeral, created_at
            FROM gateways WHERE user_id = \(caller.id) AND ephemeral = false ORDER BY created_at, id
            """, logger: store.logger).decode(Row.self) {
            func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            func time(_ value: Date?) -> JSONValue { value.map { .string(Timestamp.format($0)) } ?? .null }
            rows.append(.object([
                "id": .string(g.0), "userId": .string(g.1), "name": .string(g.2), "hostname": text(g.3), "platform": text(g.4),
                "arch": text(g.5), "nodeVersion": text(g.6), "connectedAt": time(g.7), "disconnectedAt": time(g.8),
                "ephemeral": .bool(g.9), "createdAt": time(g.10),
                // The web reads gateway.deviceInfo.{platform,hostname} (http-api §8.7 guidance).
                "deviceInfo": .object(["hostname": .string(g.3 ?? ""), "platform": .string(g.4 ?? ""), "arch": .string(g.5 ?? ""),
                                       "nodeVersion": .string(g.6 ?? "")]),
            ]))
        }
        return ok(rows)
    }

    func deleteGateway(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let gatewayId = try context.parameters.id("gatewayId")
        guard let owner = try await gatewayOwner(gatewayId) else { throw APIError(404, "Gateway not found") }
        guard owner == caller.id else { throw APIError(403, "You do not own this gateway") }
        try await remove(try await store.agents(onGateway: gatewayId), flagging: .all, deleteGateway: gatewayId)
        return okEmpty()
    }

    func gatewayOwner(_ gatewayId: String) async throws -> String? {
        for try await userId in try await database.query("SELECT user_id FROM gateways WHERE id = \(gatewayId)", logger: store.logger).decode(String.self) {
            return userId
        }
        return nil
    }

    /// Which deleted agents are refused once when a gateway registers them again (§11.5).
    enum Flagging { case none, offline, all }

    /// Removes agents from their rooms and deletes them (and the gateway); each gateway is
    /// told `server:remove_agent`, an offline one finds a flagged id refused when it comes back.
    func remove(_ agents: [AgentStore.Agent], flagging: Flagging, deleteGateway gatewayId: String?) async throws {
        let ids = agents.map(\.id)
        var rooms: Set<String> = []
        for id in ids { rooms.formUnion(try await store.rooms(of: id)) }
        try await database.withTransaction(logger: store.logger) { tx in
            try await tx.query("DELETE FROM room_members WHERE member_type = 'agent' AND member_id = ANY(\(ids))", logger: store.logger)
            try await tx.query("DELETE FROM agents WHERE id = ANY(\(ids))", logger: store.logger)
            for agent in agents where flagging == .all || (flagging == .offline && agent.status == "offline") {
                try await tx.query("INSERT INTO deleted_agents (agent_id) VALUES (\(agent.id)) ON CONFLICT DO NOTHING", logger: store.logger)
            }
            if let gatewayId { try await tx.query("DELETE FROM gateways WHERE id = \(gatewayId)", logger: store.logger) }
            // The flag set stays bounded (§11.5: 10,000, oldest evicted).
            try await tx.query("""
                DELETE FROM deleted_agents WHERE agent_id IN (SELECT agent_id FROM deleted_agents ORDER BY deleted_at DESC OFFSET 10000)
                """, logger: store.logger)
        }
        for id in ids { try await service.runtime.deliver(Delivery(audience: .agent(id), frame: AgentFrames.removeAgent(id))) }
        for roomId in rooms {
            try await service.runtime.publish(BusStream.control, ControlEvent.membershipChanged(roomId: roomId, userId: nil))
            try await service.events.roomUpdated(roomId)
            try await service.registrar.contextChanged(roomId)
        }
    }

    /// `POST /api/agents/spawn` (http-api §8.6): forwarded to the gateway; the outcome comes over WS.
    func spawn(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let body = try await request.jsonBody()
        guard let gatewayId = body["gatewayId"]?.stringValue, !gatewayId.isEmpty,
              let agentType = body["agentType"]?.stringValue, !agentType.isEmpty,
              let name = body["name"]?.stringValue, !name.isEmpty else {
            throw APIError(400, "Missing required fields: gatewayId, agentType, name")
        }
        guard ["claude-code", "codex", "gemini", "generic"].contains(agentType) else { throw APIError(400, "Invalid agent type: \(agentType)") }
        guard name.jsLength <= 100, !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(400, "Name must be 1-100 non-empty characters")
        }
        guard try await gatewayOwner(gatewayId) == caller.id else { throw APIError(404, "Gateway not found") }
        var online = false
        for try await _ in try await database.query("SELECT 1 FROM gateways WHERE id = \(gatewayId) AND disconnected_at IS NULL AND connected_at IS NOT NULL", logger: store.logger) {
            online = true
        }
        guard online else { throw APIError(503, "Gateway is offline") }
        var frame: [String: JSONValue] = ["type": .string("server:spawn_agent"), "requestId": .string(Nanoid.make()),
                                          "agentType": .string(agentType), "name": .string(name)]
        if let directory = body["workingDirectory"]?.stringValue { frame["workingDirectory"] = .string(directory) }
        if let credential = body["credentialId"]?.stringValue { frame["credentialId"] = .string(credential) }
        try await service.runtime.deliver(Delivery(audience: .gateway(gatewayId), frame: try JSONCoding.encodeString(JSONValue.object(frame))))
        return okEmpty()
    }
}
