import AgentIMCore
import AgentIMRuntime
import Foundation

/// Who receives a message (websocket §11): a human message goes to the agents it mentions,
/// or in a broadcast room to those the router chooses; an agent's reply goes on to the
/// agents it mentions, within the depth limit and never back into its own conversation.
/// State shared by rooms replicas (dispatches, visited sets, windows) is in PostgreSQL.
struct AgentRouting: Sendable {
    let service: RoomsService
    var runtime: Runtime { service.runtime }
    var store: AgentStore { service.agents }
    var state: RoutingStore { RoutingStore(database: store.database) }

    static let roleRank = ["owner": 2, "admin": 1, "member": 0]

    /// After a human message is stored and broadcast (websocket §11.1).
    func routeHuman(_ message: ChatMessage, senderId: String, origin: AgentIMCore.SocketAddress) async throws {
        guard let room = try await service.rooms.find(message.roomId) else { return }
        let required = Self.roleRank[room.agentCommandRole] ?? 0
        if required > 0 {
            let role = room.createdById == senderId ? "owner" : try await service.rooms.role(userId: senderId, room: room)
            if (role.flatMap { Self.roleRank[$0] } ?? 0) < required {
                try await runtime.deliver(Delivery(audience: .socket(origin), frame: ServerFrame.error(
                    code: "PERMISSION_DENIED", message: "Insufficient permissions to command agents in this room")))
                return
            }
        }
        let members = try await store.members(of: room.id)
        guard !members.isEmpty else { return }
        let mentions = Mentions.parse(message.content)
        try await callServiceAgents(mentions: mentions, message: message)

        var targets: [AgentStore.Agent] = []
        for name in mentions {
            let named = members.filter { $0.name == name }
            guard let agent = named.first(where: { $0.status == "online" }) ?? named.first else { continue }
            if !targets.contains(where: { $0.id == agent.id }) { targets.append(agent) }
        }
        let conversationId = Nanoid.make()
        if targets.isEmpty {
            guard room.broadcastMode else { return }
            let candidates = members.filter { $0.connectionType != "api" }
            guard !candidates.isEmpty else { return }
            try await runtime.publish(BusStream.routerCommands, RouterCommand.route(RouteRequest(
                messageId: message.id, roomId: room.id, routerId: room.routerId, roomCreatedById: room.createdById,
                systemPrompt: room.systemPrompt, content: message.content, senderId: senderId, senderName: message.senderName,
                conversationId: conversationId,
                candidates: candidates.map { RouteCandidate(id: $0.id, name: $0.name, type: $0.type, capabilities: $0.capabilities ?? []) })))
            return
        }
        for agent in targets {
            try await dispatch(to: agent, message: message, senderId: senderId, mode: "direct", conversationId: conversationId, origin: origin)
        }
    }

    /// The router chose agents for a broadcast-mode message.
    func routeDecided(_ decision: RouteDecision) async throws {
        let members = try await store.members(of: decision.roomId)
        guard let message = try await service.messages.find(decision.messageId) else { return }
        for agentId in decision.agentIds {
            guard let agent = members.first(where: { $0.id == agentId }) else { continue }
            try await dispatch(to: agent, message: message, senderId: decision.senderId, mode: "broadcast",
                               conversationId: decision.conversationId, origin: nil)
        }
    }

    /// One human message to one agent: the sender's cooldown, once per (message, agent),
    /// the offline notice (websocket §11.1 steps 1–4).
    private func dispatch(to agent: AgentStore.Agent, message: ChatMessage, senderId: String, mode: String,
                          conversationId: String, origin: AgentIMCore.SocketAddress?) async throws {
        let depth = agent.queueDepth
        let cooldownMs = depth > 0 ? min(15_000 * depth, 120_000) : 0
        if cooldownMs > 0 {
            if let sentAt = try await state.lastSend(senderId: senderId, agentId: agent.id) {
                let elapsed = Int(Date().timeIntervalSince(sentAt) * 1000)
                if elapsed < cooldownMs {
                    let wait = Int((Double(cooldownMs - elapsed) / 1000).rounded(.up))
                    if let origin {
                        try await runtime.deliver(Delivery(audience: .socket(origin), frame: AgentEvents.systemNotice(
                            roomId: message.roomId,
                            content: "Agent @\(agent.name) is busy (\(depth) message\(depth == 1 ? "" : "s") pending). Please wait \(wait)s before sending another message.")))
                    }
                    return
                }
            }
        }
        guard try await state.claimDispatch(messageId: message.id, agentId: agent.id) else { return }
        try await runtime.deliver(Delivery(audience: .agent(agent.id), frame: AgentFrames.sendToAgent(
            agentId: agent.id, roomId: message.roomId, messageId: message.id, content: message.content, senderName: message.senderName,
            senderType: "user", routingMode: mode, conversationId: conversationId, depth: 0)))
        if agent.status == "offline" {
            try await runtime.deliver(Delivery(audience: .room(message.roomId), frame: AgentEvents.systemNotice(
                roomId: message.roomId, content: "Agent @\(agent.name) is currently offline and cannot receive messages.")))
        } else if cooldownMs > 0 {
            try await state.recordSend(senderId: senderId, agentId: agent.id)
        }
    }

    /// Mentions of active service agents (case-insensitive, websocket §11.7) go to the router.
    private func callServiceAgents(mentions: [String], message: ChatMessage) async throws {
        guard !mentions.isEmpty else { return }
        let active = try await state.activeServiceAgentNames()
        for name in mentions where active.contains(name.lowercased()) {
            try await runtime.publish(BusStream.routerCommands, RouterCommand.callServiceAgent(ServiceAgentCall(
                requestId: "sa-\(message.id)-\(name.lowercased())".prefix(100).description, roomId: message.roomId, messageId: message.id,
                mentionName: name, content: message.content, senderName: message.senderName)))
        }
    }

    // MARK: agent → agent

    /// The room's limits: its router's, else the system router's, else the settings (§11.2, §11.3).
    struct Limits {
        var maxDepth: Int
        var window: Int
        var max: Int
    }

    func limits(roomId: String) async throws -> Limits {
        if let router = try await state.routerLimits(roomId: roomId) {
            return Limits(maxDepth: router.maxDepth, window: router.window, max: router.max)
        }
        let settings = runtime.settings
        if !settings.string("router.llm.baseUrl").isEmpty, !settings.string("router.llm.apiKey").isEmpty {
            return Limits(maxDepth: settings.int("router.maxChainDepth"), window: 60, max: 20)
        }
        return Limits(maxDepth: settings.int("router.maxChainDepth"), window: settings.int("rateLimit.agent.window"),
                      max: settings.int("rateLimit.agent.max"))
    }

    /// Counts one completion in the agent's fixed window; false once over the max (§11.3).
    func countCompletion(agentId: String, limits: Limits) async throws -> Bool {
        guard let count = try await state.countCompletion(agentId: agentId, window: limits.window) else { return true }
        return count <= limits.max
    }

    /// Agent-to-agent routing after a completion (websocket §11.2).
    func routeReply(_ reply: ChatMessage, from sender: AgentStore.Agent, names: [String], conversationId: String?, depth: Int?, limits: Limits) async throws {
        guard !names.isEmpty else { return }
        let conversation = conversationId ?? Nanoid.make()
        let depth = depth ?? 0
        guard depth < limits.maxDepth else { return }
        try await state.visit(conversation, agentId: sender.id)
        let visited = try await state.visitedAgents(conversation)
        let members = try await store.members(of: reply.roomId)
        var sent: Set<String> = []
        for name in names {
            let named = members.filter { $0.name == name }
            guard let target = named.first(where: { $0.status == "online" }) ?? named.first,
                  target.id != sender.id, !visited.contains(target.id), !sent.contains(target.id) else { continue }
            sent.insert(target.id)
            guard try await state.claimDispatch(messageId: reply.id, agentId: target.id) else { continue }
            try await runtime.deliver(Delivery(audience: .agent(target.id), frame: AgentFrames.sendToAgent(
                agentId: target.id, roomId: reply.roomId, messageId: reply.id, content: reply.content, senderName: sender.name,
                senderType: "agent", routingMode: "direct", conversationId: conversation, depth: depth + 1)))
        }
    }
}
