import AgentIMCore
import AgentIMRuntime
import Foundation

/// What rooms does with the agent work edges and the router put on the bus: replies,
/// status, approvals, stops, commands, info, and the router's decisions (websocket §10–§15).
struct AgentCommandHandler: Sendable {
    let service: RoomsService
    var runtime: Runtime { service.runtime }
    var store: AgentStore { service.agents }
    var routing: AgentRouting { AgentRouting(service: service) }

    func handle(_ command: AgentCommand) async throws {
        switch command {
        case .completed(let completion):
            try await completed(completion)
        case .status(let agentId, let status, let queueDepth):
            try await store.setStatus([agentId], status: status, queueDepth: queueDepth)
            try await announceStatus(agentId)
        case .wentOffline(let agentIds, let gatewayId, let userId, let gatewayClosed):
            try await store.wentOffline(agentIds)
            for agentId in agentIds { try await announceStatus(agentId) }
            if gatewayClosed { try await store.gatewayDisconnected(gatewayId) }
            try await runtime.deliver(Delivery(audience: .user(userId), frame: AgentFrames.agentsChanged))
        case .permissionRequested(let request):
            try await service.permissions.requested(request)
        case .permissionAnswered(let requestId, let decision, let denyReason, let joinedRooms):
            try await service.permissions.answered(requestId: requestId, decision: decision, denyReason: denyReason, joinedRooms: joinedRooms)
        case .stopGeneration(let roomId, let agentId):
            guard try await service.rooms.hasMember(roomId: roomId, memberId: agentId, type: nil) else { return }
            try await runtime.deliver(Delivery(audience: .agent(agentId), frame: AgentFrames.stopAgent(agentId, roomId: roomId)))
        case .agentCommand(let origin, let userId, let roomId, let agentId, let command, let args):
            try await agentCommand(origin: origin, userId: userId, roomId: roomId, agentId: agentId, command: command, args: args)
        case .queryInfo(let origin, let agentId, let roomId):
            guard let agent = try await store.find(agentId) else { return }
            if agent.status == "offline" {
                try await runtime.deliver(Delivery(audience: .socket(origin), frame: AgentFrames.agentInfo(agent.info)))
            } else {
                try await runtime.deliver(Delivery(audience: .agent(agentId), frame: AgentFrames.queryAgentInfo(agentId: agentId, roomId: roomId)))
            }
        case .reportedInfo(let agentId, let roomId, let info):
            try await reportedInfo(agentId: agentId, roomId: roomId, info: info)
        case .rewind(let origin, let userId, let roomId, let messageId):
            try await RoomRewind(service: service).rewind(origin: origin, userId: userId, roomId: roomId, messageId: messageId)
        case .taskUpdate(let agentIds, let taskId, let status, let result):
            try await taskUpdate(agentIds: agentIds, taskId: taskId, status: status, result: result)
        }
    }

    /// `gateway:message_complete` (websocket §10.4).
    private func completed(_ c: AgentCompletion) async throws {
        guard let agent = try await store.find(c.agentId), try await service.rooms.hasMember(roomId: c.roomId, memberId: agent.id, type: "agent") else { return }
        let limits = try await routing.limits(roomId: c.roomId)
        let allowed = try await routing.countCompletion(agentId: agent.id, limits: limits)
        let outcome = try await service.messages.storeAgentReply(
            id: c.messageId, roomId: c.roomId, agentId: agent.id, agentName: agent.name, content: c.fullContent, chunks: c.chunks)
        var message: ChatMessage
        var seq: Int64?
        switch outcome {
        case .stored(let stored):
            message = stored
            seq = stored.seq
        case .overwritten(let stored):
            message = stored
        case .unchanged(let stored):
            // Handled before (a peer claimed this entry from a frozen replica, or a crash came
            // before the acknowledgement). Announced once more under its seq, in case the first
            // announcement was lost: an edge drops a seq its sockets already have, so nobody sees
            // it twice (announced without a seq, it was shown again).
            message = stored
            seq = stored.seq
        case .roomGone:
            return runtime.logger.info("reply \(c.messageId) of agent \(agent.id) dropped: room \(c.roomId) is gone")
        }
        message.createdAt = Timestamp.format(Date())
        message.chunks = c.chunks
        try await runtime.deliver(Delivery(audience: .room(c.roomId), frame: AgentFrames.messageComplete(message), seq: seq))
        try await store.setStatus([agent.id], status: "online")
        try await announceStatus(agent.id)
        guard allowed else {
            runtime.logger.info("agent \(agent.id) over its rate limit: reply stored, not routed")
            return
        }
        var names = Mentions.parse(c.fullContent)
        if let target = c.targetAgentName, !target.isEmpty, !names.contains(target) { names.append(target) }
        try await routing.routeReply(message, from: agent, names: names, conversationId: c.conversationId, depth: c.depth, limits: limits)
    }

    private func agentCommand(origin: AgentIMCore.SocketAddress, userId: String, roomId: String, agentId: String, command: String, args: String) async throws {
        guard try await service.rooms.hasMember(roomId: roomId, memberId: agentId, type: "agent") else {
            return try await runtime.deliver(Delivery(audience: .socket(origin), frame: ServerFrame.error(code: "NOT_A_MEMBER", message: "Agent is not a member of this room")))
        }
        guard let agent = try await store.find(agentId), agent.status != "offline" else {
            return try await runtime.deliver(Delivery(audience: .socket(origin), frame: AgentFrames.agentCommandResult(
                agentId: agentId, roomId: roomId, command: command, success: false, message: "Agent is offline")))
        }
        try await runtime.deliver(Delivery(audience: .agent(agentId), frame: AgentFrames.agentCommand(
            agentId: agentId, roomId: roomId, command: command, args: args, userId: userId)))
    }

    /// `gateway:agent_info`: the reported settings over a copy of the stored row (nothing
    /// persisted), to the room asked about or every room of the agent (websocket §14.3).
    private func reportedInfo(agentId: String, roomId: String?, info: JSONValue) async throws {
        guard let agent = try await store.find(agentId), case .object(var merged) = agent.info, let reported = info.objectValue else { return }
        let keys = ["slashCommands", "mcpServers", "model", "thinkingMode", "effortLevel", "sessionCostUSD", "availableModels",
                    "availableModelInfo", "availableEffortLevels", "availableThinkingModes", "planMode", "permissionLevel"]
        for key in keys { merged[key] = reported[key] == .null ? nil : reported[key] }
        let frame = AgentFrames.agentInfo(.object(merged))
        var rooms: [String] = []
        if let roomId { rooms = [roomId] } else { rooms = try await store.rooms(of: agentId) }
        for room in rooms { try await runtime.deliver(Delivery(audience: .room(room), frame: frame)) }
    }

    /// `gateway:task_update` (websocket §15.3): only for a task in a room of one of the socket's agents.
    private func taskUpdate(agentIds: [String], taskId: String, status: String, result: String?) async throws {
        guard ["pending", "in_progress", "completed", "failed", "cancelled"].contains(status),
              var task = try await service.tasks.find(taskId) else { return }
        var allowed = false
        for agentId in agentIds where try await service.rooms.hasMember(roomId: task.roomId, memberId: agentId, type: "agent") { allowed = true }
        guard allowed else { return }
        task.status = status
        // A non-empty result lands in the description, as the original does.
        if let result, !result.isEmpty { task.description = result }
        task.updatedAt = Date()
        try await service.tasks.save(task)
        try await runtime.deliver(Delivery(audience: .room(task.roomId), frame: RoomEvents.frame(TaskUpdateFrame(task: task.view(.socket)))))
    }

    struct TaskUpdateFrame: Encodable { let type = "server:task_update"; let task: RoomTaskView }

    private func announceStatus(_ agentId: String) async throws {
        guard let agent = try await store.find(agentId) else { return }
        try await service.agentEvents.status(agent, rooms: try await store.rooms(of: agentId))
    }
}
