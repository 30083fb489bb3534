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

    /// Cumulative text one reply may stream (websocket §10.3 step 4).
    static let streamLimit = 10_485_760

    func authenticate(_ frame: JSONValue, on socket: GatewaySocket) async -> Bool {
        guard let fields = FrameFields(frame), let token = fields.string("token", 1...2000), let gatewayId = fields.string("gatewayId"),
              case .some(let protocolVersion) = fields.optionalString("protocolVersion"),
              let device = fields["deviceInfo"]?.objectValue,
              ["hostname", "platform", "arch", "nodeVersion"].allSatisfy({ device[$0]?.stringValue != nil }) else { return false }
        let user: AuthenticatedUser
        do {
            user = try await runtime.tokens.verifyAccess(token)
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
        if let protocolVersion, protocolVersion != "1" {
            socket.send(text: ServerFrame.error(code: "PROTOCOL_VERSION_MISMATCH",
                                                message: "Protocol version mismatch: server speaks 1, gateway sent \(protocolVersion)"))
            socket.close(code: 1008, reason: "Protocol version mismatch")
            return false
        }
        let admission: GatewayAdmission
        do {
            let live = await registry.count(of: user.id) - (await registry.owner(of: socket.id)?.userId == user.id ? 1 : 0)
            admission = try await agents.gatewayConnected(.init(
                userId: user.id, gatewayId: gatewayId, deviceInfo: .object(device), ephemeral: fields.bool("ephemeral") ?? false, liveSockets: live))
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

    func handle(_ frame: JSONValue, type: String, on socket: GatewaySocket) async {
        guard let fields = FrameFields(frame), let (userId, gatewayId) = await registry.owner(of: socket.id) else { return }
        do {
            switch type {
            case "gateway:register_agent": try await register(fields, socket: socket, userId: userId, gatewayId: gatewayId)
            case "gateway:message_chunk": try await chunk(fields, socket: socket)
            case "gateway:message_complete": try await complete(fields, socket: socket)
            case "gateway:permission_request": try await permission(fields, socket: socket)
            case "gateway:spawn_result", "gateway:credential_list", "gateway:credential_result", "gateway:oauth_url", "gateway:oauth_result":
                try await relayToOwner(frame, type: type, userId: userId, gatewayId: gatewayId)
            case "gateway:task_update":
                guard let taskId = fields.string("taskId"), let status = fields.string("status"),
                      case .some(let result) = fields.optionalString("result", max: 100_000) else { return }
                let held = await registry.agents(of: socket.id)
                guard !held.isEmpty else { return }
                try await publish(.taskUpdate(agentIds: held, taskId: taskId, status: status, result: result))
            case "gateway:workspace_response":
                guard let agentId = fields.string("agentId"), let requestId = fields.string("requestId"),
                      let response = fields["response"], response.objectValue?["kind"]?.stringValue != nil,
                      await registry.owns(socket.id, agent: agentId) else { return }
                try await runtime.deliver(Delivery(audience: .workspaceRequest(requestId), frame: AgentFrames.relay(
                    .object(["agentId": .string(agentId), "requestId": .string(requestId), "response": response]), as: "server:workspace_response")))
            case "gateway:rewind_result":
                runtime.logger.info("rewind result from gateway \(gatewayId): \(fields["success"]?.boolValue == true ? "ok" : "failed")")
            default:
                try await ownedAgentFrame(fields, type: type, socket: socket, userId: userId, gatewayId: gatewayId)
            }
        } catch {
            runtime.logger.error("\(type) from gateway \(gatewayId) failed: \(error)")
        }
    }

    /// Frames about one agent that must be registered on this socket (§8.1 "owned").
    private func ownedAgentFrame(_ fields: FrameFields, type: String, socket: GatewaySocket, userId: String, gatewayId: String) async throws {
        guard let agentId = fields.string("agentId"), await registry.owns(socket.id, agent: agentId) else { return }
        switch type {
        case "gateway:unregister_agent":
            guard await registry.unbind(agentId, from: socket.id) else { return }
            try await publish(.wentOffline(agentIds: [agentId], gatewayId: gatewayId, userId: userId, gatewayClosed: false))
        case "gateway:agent_status":
            guard let status = fields.string("status"), FrameFields.agentStatuses.contains(status),
                  case .some(let depth) = fields.optionalInt("queueDepth", 0...Int(Int32.max)) else { return }
            try await publish(.status(agentId: agentId, status: status, queueDepth: depth))
        case "gateway:agent_command_result":
            guard let roomId = fields.string("roomId"), let command = fields.string("command", 1...100), let success = fields.bool("success"),
                  case .some(let message) = fields.optionalString("message", max: 10_000) else { return }
            try await runtime.deliver(Delivery(audience: .room(roomId), frame: AgentFrames.agentCommandResult(
                agentId: agentId, roomId: roomId, command: command, success: success, message: message)))
        case "gateway:agent_info":
            guard fields["slashCommands"]?.arrayValue != nil, fields["mcpServers"]?.arrayValue != nil,
                  case .some(let roomId) = fields.optionalString("roomId") else { return }
            try await publish(.reportedInfo(agentId: agentId, roomId: roomId, info: .object(fields.body)))
        case "gateway:terminal_data":
            guard let data = fields.string("data", 0...1_000_000), let placement = try await placement(of: agentId, refreshFor: nil) else { return }
            for roomId in placement.rooms {
                try await runtime.deliver(Delivery(audience: .room(roomId), frame: AgentFrames.terminalData(
                    agentId: agentId, agentName: placement.name, roomId: roomId, data: data)))
            }
        default:
            break
        }
    }

    private func register(_ fields: FrameFields, socket: GatewaySocket, userId: String, gatewayId: String) async throws {
        guard let agent = fields["agent"]?.objectValue, let agentId = agent["id"]?.stringValue, !agentId.isEmpty,
              let name = agent["name"]?.stringValue, !name.isEmpty,
              let type = agent["type"]?.stringValue, FrameFields.agentTypes.contains(type),
              (agent["slashCommands"]?.arrayValue?.count ?? 0) <= 100, (agent["mcpServers"]?.arrayValue?.count ?? 0) <= 100,
              (agent["model"]?.stringValue?.jsLength ?? 0) <= 200 else { return }
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

    private func chunk(_ fields: FrameFields, socket: GatewaySocket) async throws {
        guard let roomId = fields.string("roomId"), let agentId = fields.string("agentId"), let messageId = fields.string("messageId"),
              let chunk = fields["chunk"], FrameFields.isChunk(chunk), let content = chunk["content"]?.stringValue,
              await registry.owns(socket.id, agent: agentId),
              let placement = try await placement(of: agentId, refreshFor: roomId), placement.rooms.contains(roomId) else { return }
        guard await registry.stream(messageId, adding: content.jsLength, limit: Self.streamLimit) else {
            return socket.send(text: ServerFrame.error(code: "STREAM_TOO_LARGE", message: "Stream exceeds maximum size"))
        }
        try await runtime.deliver(Delivery(audience: .room(roomId), frame: AgentFrames.messageChunk(
            roomId: roomId, agentId: agentId, agentName: placement.name, messageId: messageId, chunk: chunk)))
    }

    private func complete(_ fields: FrameFields, socket: GatewaySocket) async throws {
        guard let roomId = fields.string("roomId"), let agentId = fields.string("agentId"), let messageId = fields.string("messageId"),
              let fullContent = fields.string("fullContent", 0...200_000),
              case .some(let conversationId) = fields.optionalString("conversationId", max: 100),
              case .some(let depth) = fields.optionalInt("depth", 0...Int(Int32.max)),
              case .some(let target) = fields.optionalString("targetAgentName"),
              await registry.owns(socket.id, agent: agentId) else { return }
        var chunks: [JSONValue]?
        if let raw = fields["chunks"], raw != .null {
            guard let items = raw.arrayValue, items.count <= 5000, items.allSatisfy(FrameFields.isChunk) else { return }
            chunks = items
        }
        await registry.streamEnded(messageId)
        try await publish(.completed(AgentCompletion(
            origin: SocketAddress(node: runtime.nodeId, socket: socket.id), agentId: agentId, roomId: roomId, messageId: messageId,
            fullContent: fullContent, chunks: chunks, conversationId: conversationId, depth: depth, targetAgentName: target)))
    }

    private func permission(_ fields: FrameFields, socket: GatewaySocket) async throws {
        guard let requestId = fields.string("requestId", 1...100), let agentId = fields.string("agentId"), let roomId = fields.string("roomId"),
              let toolName = fields.string("toolName", 1...200), let toolInput = fields["toolInput"], toolInput.objectValue != nil,
              let timeoutMs = fields.int("timeoutMs", 1000...300_000),
              await registry.owns(socket.id, agent: agentId) else { return }
        // The hub's own tools are approved at once; nothing reaches the room (websocket §12 step 1).
        if toolName.hasPrefix("mcp__agentim__") {
            return socket.send(text: AgentFrames.permissionResponse(requestId: requestId, agentId: agentId, decision: "allow"))
        }
        try await publish(.permissionRequested(PermissionRequest(
            requestId: requestId, agentId: agentId, roomId: roomId, toolName: toolName, toolInput: toolInput, timeoutMs: timeoutMs)))
    }

    /// Spawn results and credential/OAuth answers go to every client socket of the gateway's owner.
    private func relayToOwner(_ frame: JSONValue, type: String, userId: String, gatewayId: String) async throws {
        guard let fields = FrameFields(frame), fields.string("requestId") != nil || type == "gateway:credential_list" else { return }
        let (name, addGateway): (String, Bool) = switch type {
        case "gateway:spawn_result": ("server:spawn_result", true)
        case "gateway:credential_list": ("server:gateway_credential_list", true)
        case "gateway:credential_result": ("server:gateway_credential_result", false)
        case "gateway:oauth_url": ("server:gateway_oauth_url", true)
        default: ("server:gateway_oauth_result", true)
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
}
