import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import AgentIMTokens
import Foundation
import Logging

/// The gateway protocol (websocket §2.4, §8, §10.3): what each gateway frame does. Agent
/// ownership is this edge's (the socket that registered the agent); chunks go straight to
/// the room's sockets on every edge; everything stored or routed is a command for rooms.
struct GatewayHandler: Sendable {
    let runtime: Runtime
    let registry: GatewayRegistry
    let agents: AgentsDirectory
    let chunks: ChunkAppender

    /// Cumulative text one reply may stream (websocket §10.3 step 4).
    static let streamLimit = 10_485_760

    func authenticate(_ auth: InboundGatewayFrame.Auth, on socket: GatewaySocket) async -> Bool {
        let gatewayId = auth.gatewayId
        let user: AuthenticatedUser
        do {
            user = try await runtime.tokens.verifyAccess(auth.token)
        } catch .wrongType {
            socket.send(text: AgentFrames.gatewayAuthResult(ok: false, error: "Invalid token type"))
            return false
        } catch .revoked {
            socket.send(text: AgentFrames.gatewayAuthResult(ok: false, error: "Token revoked"))
            return false
        } catch {
            socket.send(text: AgentFrames.gatewayAuthResult(ok: false, error: "Authentication failed"))
            return false
        }
        if let protocolVersion = auth.protocolVersion, protocolVersion != "1" {
            socket.send(text: ServerFrame.error(code: "PROTOCOL_VERSION_MISMATCH",
                                                message: "Protocol version mismatch: server speaks 1, gateway sent \(protocolVersion)"))
            socket.close(code: 1008, reason: "Protocol version mismatch")
            return false
        }
        let admission: GatewayAdmission
        do {
            let live = await registry.count(of: user.id) - (await registry.owner(of: socket.id)?.userId == user.id ? 1 : 0)
            admission = try await agents.gatewayConnected(.init(
                userId: user.id, gatewayId: gatewayId, deviceInfo: .object(auth.deviceInfo), ephemeral: auth.ephemeral, liveSockets: live))
        } catch {
            runtime.logger.error("gateway auth for \(gatewayId) failed: \(error)")
            socket.send(text: AgentFrames.gatewayAuthResult(ok: false, error: "Authentication failed"))
            return false
        }
        guard admission.ok else {
            socket.send(text: AgentFrames.gatewayAuthResult(ok: false, error: admission.error))
            return false
        }
        await registry.add(socket.id, outbox: socket.outbox, userId: user.id, gatewayId: gatewayId)
        socket.send(text: AgentFrames.gatewayAuthResult(ok: true))
        return true
    }

    /// A frame after `gateway:auth` (`.malformed` ones are dropped), from a socket that signed in.
    func handle(_ frame: InboundGatewayFrame, on socket: GatewaySocket) async {
        // One span per frame (a no-op without tracing): the root of the trace an agent's message starts.
        await Traces.span(frame.type, kind: .server) { await dispatch(frame, on: socket) }
    }

    private func dispatch(_ frame: InboundGatewayFrame, on socket: GatewaySocket) async {
        guard let (userId, gatewayId) = await registry.owner(of: socket.id) else { return }
        // Anything else a gateway sends comes after the chunks it streamed before it: no client
        // sees a reply end (message_complete) before its last chunk.
        if case .messageChunk = frame {} else { await chunks.flushed() }
        do {
            switch frame {
            case .registerAgent(let agentId, let agent): try await register(agentId, agent, socket: socket, userId: userId, gatewayId: gatewayId)
            case .messageChunk(let roomId, let agentId, let messageId, let chunk, let content):
                try await self.chunk(roomId: roomId, agentId: agentId, messageId: messageId, chunk: chunk, content: content, socket: socket)
            case .messageComplete(let complete): try await self.complete(complete, socket: socket)
            case .permissionRequest(let request): try await permission(request, socket: socket)
            case .relayed(let kind, let frame): try await relayToOwner(frame, kind: kind, userId: userId, gatewayId: gatewayId)
            case .taskUpdate(let taskId, let status, let result):
                let held = await registry.agents(of: socket.id)
                guard !held.isEmpty else { return }
                try await publish(.taskUpdate(agentIds: held, taskId: taskId, status: status, result: result))
            case .workspaceResponse(let agentId, let requestId, let response):
                guard await registry.owns(socket.id, agent: agentId) else { return }
                try await runtime.deliver(Delivery(audience: .workspaceRequest(requestId), frame: AgentFrames.relay(
                    .object(["agentId": .string(agentId), "requestId": .string(requestId), "response": response]), as: "server:workspace_response")))
            case .rewindResult(let success):
                runtime.logger.info("rewind result from gateway \(gatewayId): \(success ? "ok" : "failed")")
            case .unregisterAgent(let agentId):
                guard await registry.owns(socket.id, agent: agentId), await registry.unbind(agentId, from: socket.id) else { return }
                try await publish(.wentOffline(agentIds: [agentId], gatewayId: gatewayId, userId: userId, gatewayClosed: false))
            case .agentStatus(let agentId, let status, let depth):
                guard await registry.owns(socket.id, agent: agentId) else { return }
                try await publish(.status(agentId: agentId, status: status, queueDepth: depth))
            case .agentCommandResult(let agentId, let roomId, let command, let success, let message):
                guard await registry.owns(socket.id, agent: agentId) else { return }
                try await runtime.deliver(Delivery(audience: .room(roomId), frame: AgentFrames.agentCommandResult(
                    agentId: agentId, roomId: roomId, command: command, success: success, message: message)))
            case .agentInfo(let agentId, let roomId, let body):
                guard await registry.owns(socket.id, agent: agentId) else { return }
                try await publish(.reportedInfo(agentId: agentId, roomId: roomId, info: .object(body)))
            case .terminalData(let agentId, let data):
                guard await registry.owns(socket.id, agent: agentId), let placement = try await placement(of: agentId, refreshFor: nil) else { return }
                for roomId in placement.rooms {
                    try await runtime.deliver(Delivery(audience: .room(roomId), frame: AgentFrames.terminalData(
                        agentId: agentId, agentName: placement.name, roomId: roomId, data: data)))
                }
            case .auth, .ping, .malformed:
                return  // the session's (auth, ping); bad fields are dropped
            }
        } catch {
            runtime.logger.error("\(frame.type) from gateway \(gatewayId) failed: \(error)")
        }
    }

    private func register(_ agentId: String, _ agent: [String: JSONValue], socket: GatewaySocket, userId: String, gatewayId: String) async throws {
        // Bound before rooms answers, so the room contexts rooms sends on registration find this socket.
        let wasOwned = await registry.owns(socket.id, agent: agentId)
        await registry.bind(agentId, to: socket.id)
        let outcome = try await agents.registerAgent(.init(userId: userId, gatewayId: gatewayId, agent: .object(agent)))
        switch outcome {
        case .registered:
            try await runtime.publish(BusStream.control, ControlEvent.agentBound(
                agentId: agentId, socket: SocketAddress(node: runtime.nodeId, socket: socket.id)))
        case .removed:
            _ = await registry.unbind(agentId, from: socket.id)
            socket.send(text: AgentFrames.removeAgent(agentId))
        case .foreign:
            if !wasOwned { _ = await registry.unbind(agentId, from: socket.id) }
        }
    }

    /// The hub's hottest path (every token an agent streams): one registry turn in the usual
    /// case, and the bus entry written without JSONEncoder (`ChunkRelay`).
    private func chunk(roomId: String, agentId: String, messageId: String, chunk: JSONValue, content: String, socket: GatewaySocket) async throws {
        let length = content.jsLength
        let agentName: String
        switch await registry.admitChunk(socket: socket.id, agentId: agentId, roomId: roomId, messageId: messageId,
                                         length: length, limit: Self.streamLimit, now: ContinuousClock.now) {
        case .drop: return
        case .tooLarge: return socket.send(text: ServerFrame.error(code: "STREAM_TOO_LARGE", message: "Stream exceeds maximum size"))
        case .relay(let name): agentName = name
        case .askRooms:
            guard await registry.owns(socket.id, agent: agentId),
                  let placement = try await placement(of: agentId, refreshFor: roomId), placement.rooms.contains(roomId) else { return }
            guard await registry.stream(messageId, adding: length, limit: Self.streamLimit) else {
                return socket.send(text: ServerFrame.error(code: "STREAM_TOO_LARGE", message: "Stream exceeds maximum size"))
            }
            agentName = placement.name
        }
        await chunks.append(ChunkRelay.deliveryPayload(
            roomId: roomId, agentId: agentId, agentName: agentName, messageId: messageId, chunk: chunk))
    }

    private func complete(_ frame: InboundGatewayFrame.MessageComplete, socket: GatewaySocket) async throws {
        guard await registry.owns(socket.id, agent: frame.agentId) else { return }
        await registry.streamEnded(frame.messageId)
        await registry.completed(agentId: frame.agentId, roomId: frame.roomId)
        try await publishRetrying(.completed(AgentCompletion(
            origin: SocketAddress(node: runtime.nodeId, socket: socket.id), agentId: frame.agentId, roomId: frame.roomId, messageId: frame.messageId,
            fullContent: frame.fullContent, chunks: frame.chunks, conversationId: frame.conversationId, depth: frame.depth,
            targetAgentName: frame.targetAgentName)))
    }

    private func permission(_ request: InboundGatewayFrame.PermissionRequest, socket: GatewaySocket) async throws {
        guard await registry.owns(socket.id, agent: request.agentId) else { return }
        // The hub's own tools are approved at once; nothing reaches the room (websocket §12 step 1).
        if request.toolName.hasPrefix("mcp__agentim__") {
            return socket.send(text: AgentFrames.permissionResponse(requestId: request.requestId, agentId: request.agentId, decision: "allow"))
        }
        try await publish(.permissionRequested(PermissionRequest(
            requestId: request.requestId, agentId: request.agentId, roomId: request.roomId, toolName: request.toolName,
            toolInput: request.toolInput, timeoutMs: request.timeoutMs)))
    }

    /// Spawn results and credential/OAuth answers go to every client socket of the gateway's owner.
    private func relayToOwner(_ frame: JSONValue, kind: InboundGatewayFrame.Relayed, userId: String, gatewayId: String) async throws {
        let (name, addGateway): (String, Bool) = switch kind {
        case .spawnResult: ("server:spawn_result", true)
        case .credentialList: ("server:gateway_credential_list", true)
        case .credentialResult: ("server:gateway_credential_result", false)
        case .oauthURL: ("server:gateway_oauth_url", true)
        case .oauthResult: ("server:gateway_oauth_result", true)
        }
        try await runtime.deliver(Delivery(audience: .user(userId), frame: AgentFrames.relay(
            frame, as: name, adding: addGateway ? ["gatewayId": .string(gatewayId)] : [:])))
    }

    func closed(_ socket: GatewaySocket) async {
        guard let gone = await registry.remove(socket.id) else { return }
        do {
            try await publish(.wentOffline(agentIds: gone.agents, gatewayId: gone.gatewayId, userId: gone.userId, gatewayClosed: true))
        } catch {
            runtime.logger.error("gateway \(gone.gatewayId) closed, but rooms was not told: \(error)")
        }
    }

    /// The agent's name and rooms; asks rooms again when a chunk names a room not yet known
    /// (a member added since), at most once a second.
    private func placement(of agentId: String, refreshFor roomId: String?) async throws -> GatewayRegistry.Placement? {
        let now = ContinuousClock.now
        if let known = await registry.placement(agentId) {
            if roomId.map(known.rooms.contains) ?? true { return known }
            if now - known.fetched < .seconds(1) { return known }
        }
        guard let fresh = try await agents.placement(agentId) else { return nil }
        let placement = GatewayRegistry.Placement(name: fresh.name, rooms: Set(fresh.roomIds), fetched: now)
        await registry.remember(agentId, placement)
        return placement
    }

    private func publish(_ command: AgentCommand) async throws {
        try await runtime.bus.publish(BusStream.roomsCommands, RoomsCommand.agent(command))
    }

    /// A finished reply is the agent's whole answer and the gateway sends it once: while the bus
    /// is unreachable (a Redis restart) it is retried with back-off for up to 30 s rather than
    /// dropped (found by Tests/chaos: 8–10 replies lost per Redis restart). This gateway's later
    /// frames wait behind it, which keeps its replies in order.
    private func publishRetrying(_ command: AgentCommand) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var pause = Duration.milliseconds(250)
        while true {
            do {
                return try await publish(command)
            } catch {
                guard ContinuousClock.now + pause < deadline, !Task.isCancelled else { throw error }
                runtime.logger.warning("agent reply not on the bus yet, retrying in \(pause): \(error)")
                try await LoopSleep.for(pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }
}
