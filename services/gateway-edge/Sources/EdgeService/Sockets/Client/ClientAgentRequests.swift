import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import AgentIMTokens
import Foundation

/// What a `/ws/client` socket asks of agents (websocket §5, §12, §14, §16): checked here
/// against the socket's own state (joined rooms), then handed to rooms on the bus or, for
/// the credential/OAuth relays and the workspace browser, straight to the gateway.
struct ClientAgentRequests {
    let clients: ClientSockets
    let gateways: GatewaySockets
    let socket: String
    let user: AuthenticatedUser
    let send: @Sendable (Outgoing) -> Void

    private var runtime: Runtime { clients.runtime }
    private var origin: SocketAddress { SocketAddress(node: runtime.nodeId, socket: socket) }

    private func fail(_ code: String, _ message: String) { send(.text(ServerFrame.error(code: code, message: message))) }

    private func isJoined(_ roomId: String) async -> Bool { await clients.registry.isJoined(socket, room: roomId) }

    func handle(_ frame: ClientFrame) async throws {
        switch frame {
        case .stopGeneration(let roomId, let agentId):
            guard await isJoined(roomId) else { return }
            try await publish(.stopGeneration(roomId: roomId, agentId: agentId))
        case .permissionResponse(let answer):
            let joined = await clients.registry.joinedRooms(socket)
            guard !joined.isEmpty else { return }
            try await publish(.permissionAnswered(requestId: answer.requestId, decision: answer.decision, denyReason: answer.denyReason, joinedRooms: joined))
        case .agentCommand(let request):
            guard await isJoined(request.roomId) else { return }
            try await publish(.agentCommand(origin: origin, userId: user.id, roomId: request.roomId, agentId: request.agentId,
                                            command: request.command, args: request.args))
        case .queryAgentInfo(let agentId, let roomId):
            try await publish(.queryInfo(origin: origin, agentId: agentId, roomId: roomId))
        case .requestWorkspace(let roomId, let agentId, let request):
            try await requestWorkspace(roomId: roomId, agentId: agentId, request: request)
        case .listGatewayCredentials(let request):
            try await relay(request, as: "server:list_credentials", mintingId: true)
        case .addGatewayCredential(let request):
            try await relay(request, as: "server:add_credential", mintingId: true)
        case .manageGatewayCredential(let request):
            try await relay(request, as: "server:manage_credential", mintingId: true)
        case .startGatewayOAuth(let request):
            try await relay(request, as: "server:start_oauth", mintingId: true, oauthResultWhenOffline: true)
        case .completeGatewayOAuth(let request):
            try await relay(request, as: "server:complete_oauth", mintingId: false)
        case .rewindRoom(let roomId, let messageId):
            guard await isJoined(roomId) else { return }
            try await publish(.rewind(origin: origin, userId: user.id, roomId: roomId, messageId: messageId))
        case .auth, .ping, .joinRoom, .leaveRoom, .sendMessage, .typing, .refused:
            break  // the session's own
        }
    }

    /// The workspace browser (websocket §16.4): asked of the agent's gateway under a hub-minted
    /// id this edge remembers for 30 s; the answer comes back over the bus to whichever edge asked.
    private func requestWorkspace(roomId: String, agentId: String, request: JSONValue) async throws {
        guard await isJoined(roomId), let agents = gateways.agents else { return }
        guard let placement = try await agents.placement(agentId), placement.roomIds.contains(roomId) else {
            return fail("NOT_A_MEMBER", "Agent is not a member of this room")
        }
        let requestId = Nanoid.make()
        guard placement.status != "offline" else {
            let offline = AgentFrames.relay(.object(["agentId": .string(agentId), "requestId": .string(requestId),
                                                     "response": .object(["kind": .string("error"), "message": .string("Agent is offline")])]),
                                            as: "server:workspace_response")
            return try await runtime.deliver(Delivery(audience: .socket(origin), frame: offline))
        }
        await gateways.workspaceRequests.remember(requestId, userId: user.id, roomId: roomId)
        try await runtime.deliver(Delivery(audience: .agent(agentId), frame: AgentFrames.relay(
            .object(["agentId": .string(agentId), "roomId": .string(roomId), "requestId": .string(requestId), "request": request]),
            as: "server:request_workspace")))
    }

    /// Credential and OAuth management on a gateway (websocket §16.2). The hub mints the
    /// request id (except when completing OAuth) and relays to the gateway's first socket.
    private func relay(_ request: ClientFrame.GatewayRequest, as outgoing: String, mintingId: Bool,
                       oauthResultWhenOffline: Bool = false) async throws {
        // Hardening (websocket §16.2): a gateway the user does not own counts as offline.
        guard try await gateways.agents?.gatewayOnline(request.gatewayId, user.id) == true else {
            if oauthResultWhenOffline {
                let result = AgentFrames.relay(.object(["requestId": .string(Nanoid.make()), "success": .bool(false), "error": .string("Gateway is offline")]),
                                               as: "server:gateway_oauth_result", adding: ["gatewayId": .string(request.gatewayId)])
                return try await runtime.deliver(Delivery(audience: .socket(origin), frame: result))
            }
            return fail("GATEWAY_OFFLINE", "Gateway is offline")
        }
        var body = request.fields
        if mintingId { body["requestId"] = .string(Nanoid.make()) }
        try await runtime.deliver(Delivery(audience: .gateway(request.gatewayId), frame: AgentFrames.relay(.object(body), as: outgoing)))
    }

    private func publish(_ command: AgentCommand) async throws {
        try await runtime.bus.publish(BusStream.roomsCommands, RoomsCommand.agent(command))
    }
}
