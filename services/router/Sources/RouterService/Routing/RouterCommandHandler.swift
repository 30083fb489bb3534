import AgentIMBus
import AgentIMCore
import Foundation

/// Executes the commands rooms puts on `agentim:cmd:router`. At-least-once delivery: each
/// message is claimed in `routing_decisions` before the LLM is asked and its decision stored
/// before it leaves, so a redelivered or reclaimed request neither asks the LLM again nor
/// re-sends a decision that left; the entry is acknowledged (by `CommandWorker`) only after
/// the answer is on the rooms stream.
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

    /// Another process is deciding or publishing this message: the entry stays pending and
    /// comes back after the reclaim delay, by which time it is done or its holder's claim ran out.
    struct HeldElsewhere: Error {}

    func route(_ request: RouteRequest) async throws {
        let timeout = min(max(service.runtime.settings.int("router.llm.timeout"), 1000), 120_000)
        let claim = try await service.decisions.claim(messageId: request.messageId, roomId: request.roomId,
                                                      hold: .milliseconds(timeout) + .seconds(10))
        switch claim {
        case .done:
            return
        case .busy:
            throw HeldElsewhere()
        case .held(let decided?):
            // Decided by a process that died before publishing: publish what it stored.
            try await publish(decided, for: request)
        case .held(nil):
            let chosen = try await decide(request, timeout: .milliseconds(timeout))
            try await service.decisions.decide(request.messageId, agentIds: chosen)
            if !chosen.isEmpty { try await publish(chosen, for: request) }
        }
    }

    /// The agents the room's router LLM picks; none (not routed) without a usable router, or
    /// when the LLM fails, its breaker is open or its answer is unreadable (websocket §11.1).
    func decide(_ request: RouteRequest, timeout: Duration) async throws -> [String] {
        let resolver = RouterEndpointResolver(routers: service.routers, runtime: service.runtime)
        guard let endpoint = try await resolver.endpoint(for: request) else { return [] }
        let llm = RoutingLLM(http: service.http, breaker: service.breaker, maxAgents: service.config.maxAgents, logger: service.runtime.logger)
        return await llm.select(request, endpoint: endpoint, timeout: timeout) ?? []
    }

    func publish(_ agentIds: [String], for request: RouteRequest) async throws {
        let decision = RouteDecision(messageId: request.messageId, roomId: request.roomId, agentIds: agentIds,
                                     conversationId: request.conversationId, senderId: request.senderId,
                                     senderName: request.senderName, content: request.content)
        try await service.runtime.publish(BusStream.roomsCommands, RoomsCommand.routeDecided(decision))
        try await service.decisions.markPublished(request.messageId)
    }
}
