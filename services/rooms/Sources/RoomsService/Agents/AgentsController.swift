import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/agents` (http-api §8). Agents and gateways are created by gateways over
/// `/ws/gateway`; here they are listed, renamed, shared, spawned and deleted.
struct AgentsController {
    let service: RoomsService
    var store: AgentStore { service.agents }

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
        try await store.update(id, name: name, visibility: visibility, visibilityList: visibilityList)
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
        return ok(try await store.gateways(ownedBy: caller.id))
    }

    func deleteGateway(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let gatewayId = try context.parameters.id("gatewayId")
        guard let owner = try await store.gatewayOwner(gatewayId) else { throw APIError(404, "Gateway not found") }
        guard owner == caller.id else { throw APIError(403, "You do not own this gateway") }
        try await remove(try await store.agents(onGateway: gatewayId), flagging: .all, deleteGateway: gatewayId)
        return okEmpty()
    }

    /// Which deleted agents are refused once when a gateway registers them again (§11.5).
    enum Flagging { case none, offline, all }

    /// Removes agents from their rooms and deletes them (and the gateway); each gateway is
    /// told `server:remove_agent`, an offline one finds a flagged id refused when it comes back.
    func remove(_ agents: [AgentStore.Agent], flagging: Flagging, deleteGateway gatewayId: String?) async throws {
        let ids = agents.map(\.id)
        var rooms: Set<String> = []
        for id in ids { rooms.formUnion(try await store.rooms(of: id)) }
        let flagged = agents.filter { flagging == .all || (flagging == .offline && $0.status == "offline") }.map(\.id)
        try await store.delete(ids, flagged: flagged, gateway: gatewayId)
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
        guard try await store.gatewayOwner(gatewayId) == caller.id else { throw APIError(404, "Gateway not found") }
        guard try await store.isGatewayOnline(gatewayId) else { throw APIError(503, "Gateway is offline") }
        var frame: [String: JSONValue] = ["type": .string("server:spawn_agent"), "requestId": .string(Nanoid.make()),
                                          "agentType": .string(agentType), "name": .string(name)]
        if let directory = body["workingDirectory"]?.stringValue { frame["workingDirectory"] = .string(directory) }
        if let credential = body["credentialId"]?.stringValue { frame["credentialId"] = .string(credential) }
        try await service.runtime.deliver(Delivery(audience: .gateway(gatewayId), frame: try JSONCoding.encodeString(JSONValue.object(frame))))
        return okEmpty()
    }
}
