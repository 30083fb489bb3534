import AgentIMBus
import AgentIMCore
import AgentIMTokens
import Foundation

/// What a `/ws/client` socket asks of agents (websocket §5, §12, §14, §16.2): checked here
/// against the socket's own state (joined rooms), then handed to rooms on the bus or, for
/// the credential/OAuth relays, straight to the gateway.
struct ClientAgentFrames {
    let hub: ClientHub
    let socket: String
    let user: AuthenticatedUser
    let fail: (String, String) -> Void

    var origin: SocketAddress { SocketAddress(node: hub.node, socket: socket) }

    func handle(type: String, body: JSONValue) async throws {
        guard let fields = FrameFields(body) else { return }
        switch type {
        case "client:stop_generation":
            guard let roomId = fields.string("roomId"), let agentId = fields.string("agentId"),
                  await hub.registry.isJoined(socket, room: roomId) else { return }
            try await publish(.stopGeneration(roomId: roomId, agentId: agentId))
        case "client:permission_response":
            guard let requestId = fields.string("requestId", 1...100), let decision = fields.string("decision"),
                  ["allow", "allowAlways", "deny"].contains(decision),
                  case .some(let reason) = fields.optionalString("denyReason", max: 500) else { return fail("INVALID_MESSAGE", "Invalid message format") }
            let joined = await hub.registry.joinedRooms(socket)
            guard !joined.isEmpty else { return }
            try await publish(.permissionAnswered(requestId: requestId, decision: decision, denyReason: reason, joinedRooms: joined))
        case "client:agent_command":
            guard let agentId = fields.string("agentId"), let roomId = fields.string("roomId"), let command = fields.string("command", 1...100),
                  case .some(let args) = fields.optionalString("args", max: 10_000) else { return fail("INVALID_MESSAGE", "Invalid message format") }
            guard await hub.registry.isJoined(socket, room: roomId) else { return }
            try await publish(.agentCommand(origin: origin, userId: user.id, roomId: roomId, agentId: agentId, command: command, args: args ?? ""))
        case "client:query_agent_info":
            guard let agentId = fields.string("agentId"), case .some(let roomId) = fields.optionalString("roomId") else {
                return fail("INVALID_MESSAGE", "Invalid message format")
            }
            try await publish(.queryInfo(origin: origin, agentId: agentId, roomId: roomId))
        case "client:list_gateway_credentials", "client:add_gateway_credential", "client:manage_gateway_credential",
             "client:start_gateway_oauth", "client:complete_gateway_oauth":
            try await relay(type: type, fields: fields)
        case "client:request_workspace":
            try await requestWorkspace(fields)
        case "client:rewind_room":
            guard let roomId = fields.string("roomId"), let messageId = fields.string("messageId") else {
                return fail("INVALID_MESSAGE", "Invalid message format")
            }
            guard await hub.registry.isJoined(socket, room: roomId) else { return }
            try await publish(.rewind(origin: origin, userId: user.id, roomId: roomId, messageId: messageId))
        default:
            break
        }
    }

    /// The workspace browser (websocket §16.4): asked of the agent's gateway under a hub-minted
    /// id this edge remembers for 30 s; the answer comes back over the bus to whichever edge asked.
    private func requestWorkspace(_ fields: FrameFields) async throws {
        guard let roomId = fields.string("roomId"), let agentId = fields.string("agentId"), let request = fields["request"],
              let kind = request["kind"]?.stringValue, ["status", "tree", "file"].contains(kind) else {
            return fail("INVALID_MESSAGE", "Invalid message format")
        }
        guard await hub.registry.isJoined(socket, room: roomId), let agents = hub.agents else { return }
        guard let placement = try await agents.placement(agentId), placement.roomIds.contains(roomId) else {
            return fail("NOT_A_MEMBER", "Agent is not a member of this room")
        }
        let requestId = Nanoid.make()
        guard placement.status != "offline" else {
            let offline = AgentFrames.relay(.object(["agentId": .string(agentId), "requestId": .string(requestId),
                                                     "response": .object(["kind": .string("error"), "message": .string("Agent is offline")])]),
                                            as: "server:workspace_response")
            return try await hub.deliver(Delivery(audience: .socket(origin), frame: offline))
        }
        await hub.workspaceRequests.remember(requestId, userId: user.id, roomId: roomId)
        try await hub.deliver(Delivery(audience: .agent(agentId), frame: AgentFrames.relay(
            .object(["agentId": .string(agentId), "roomId": .string(roomId), "requestId": .string(requestId), "request": request]),
            as: "server:request_workspace")))
    }

    /// Credential and OAuth management on a gateway (websocket §16.2). The hub mints the
    /// request id (except when completing OAuth) and relays to the gateway's first socket.
    private func relay(type: String, fields: FrameFields) async throws {
        guard let gatewayId = fields.string("gatewayId") else { return fail("INVALID_MESSAGE", "Invalid message format") }
        var body = fields.body
        body["gatewayId"] = nil
        let outgoing: String
        switch type {
        case "client:list_gateway_credentials": outgoing = "server:list_credentials"
        case "client:add_gateway_credential":
            let mode = fields.string("mode") ?? "api"
            body["mode"] = .string(mode)
            if mode == "api", fields.string("apiKey") == nil { return fail("INVALID_REQUEST", "API key is required for api mode") }
            outgoing = "server:add_credential"
        case "client:manage_gateway_credential": outgoing = "server:manage_credential"
        case "client:start_gateway_oauth": outgoing = "server:start_oauth"
        default: outgoing = "server:complete_oauth"
        }
        // Hardening (websocket §16.2): a gateway the user does not own counts as offline.
        guard try await hub.agents?.gatewayOnline(gatewayId, user.id) == true else {
            if type == "client:start_gateway_oauth" {
                let result = AgentFrames.relay(.object(["requestId": .string(Nanoid.make()), "success": .bool(false), "error": .string("Gateway is offline")]),
                                               as: "server:gateway_oauth_result", adding: ["gatewayId": .string(gatewayId)])
                return try await hub.deliver(Delivery(audience: .socket(origin), frame: result))
            }
            return fail("GATEWAY_OFFLINE", "Gateway is offline")
        }
        if type != "client:complete_gateway_oauth" { body["requestId"] = .string(Nanoid.make()) }
        try await hub.deliver(Delivery(audience: .gateway(gatewayId), frame: AgentFrames.relay(.object(body), as: outgoing)))
    }

    private func publish(_ command: AgentCommand) async throws {
        try await hub.bus.publish(BusStream.roomsCommands, RoomsCommand.agent(command))
    }
}
