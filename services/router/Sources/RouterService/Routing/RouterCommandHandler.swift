import AgentIMBus
import AgentIMCore
import Foundation

/// Executes the commands rooms puts on `agentim:cmd:router`. At-least-once delivery: a
/// routing decision is stored before it leaves, so a redelivered request re-sends the stored
/// decision (only if it never left) and never asks the LLM twice; the entry is acknowledged
/// (by `CommandWorker`) only after the answer is on the rooms stream.
struct RouterCommandHandler: Sendable {
    let service: RouterService

    /// Requests of one room are decided in order; rooms and service-agent calls run side by side.
    @Sendable static func lane(of entry: BusEntry) -> String {
        switch try? JSONDecoder().decode(RouterCommand.self, from: entry.payload) {
        case .route(let request): "room:" + request.roomId
        case .callServiceAgent(let call): "call:" + call.requestId
        case nil: ""
        }
    }

    func handle(_ entry: BusEntry) async throws {
        guard let command = try? JSONDecoder().decode(RouterCommand.self, from: entry.payload) else {
            service.runtime.logger.warning("dropping unreadable router command \(entry.id)")
            return
        }
        switch command {
        case .route(let request):
            try await route(request)
        case .callServiceAgent(let call):
            try await ServiceAgentCaller(service: service).answer(call)
        }
    }

    func route(_ request: RouteRequest) async throws {
        let decisions = service.decisions
        if let stored = try await decisions.find(request.messageId) {
            if !stored.published { try await publish(stored.agentIds, for: request) }
            return
        }
        let resolver = RouterEndpointResolver(routers: service.routers, runtime: service.runtime)
        guard let endpoint = try await resolver.endpoint(for: request) else { return }
        let llm = RoutingLLM(http: service.http, breaker: service.breaker, maxAgents: service.config.maxAgents, logger: service.runtime.logger)
        let timeout = min(max(service.runtime.settings.int("router.llm.timeout"), 1000), 120_000)
        // No answer (LLM down, breaker open, unreadable): the message is simply not routed.
        guard let chosen = await llm.select(request, endpoint: endpoint, timeout: .milliseconds(timeout)) else { return }
        let stored = try await decisions.record(messageId: request.messageId, roomId: request.roomId, agentIds: chosen)
        if !stored.published { try await publish(stored.agentIds, for: request) }
    }

    func publish(_ agentIds: [String], for request: RouteRequest) async throws {
        let decision = RouteDecision(messageId: request.messageId, roomId: request.roomId, agentIds: agentIds,
                                     conversationId: request.conversationId, senderId: request.senderId,
                                     senderName: request.senderName, content: request.content)
        try await service.runtime.publish(BusStream.roomsCommands, RoomsCommand.routeDecided(decision))
        try await service.decisions.markPublished(request.messageId)
    }
}
