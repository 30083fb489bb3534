import AgentIMCore
import Foundation
import Logging

/// Asks a router LLM which candidates should answer (websocket §11.8). nil means "do not
/// route": breaker open, transport failure, or an answer that cannot be read.
struct RoutingLLM: Sendable {
    let http: OutboundHTTP
    let breaker: CircuitBreaker
    let maxAgents: Int
    let logger: Logger

    func select(_ request: RouteRequest, endpoint: RouterEndpoint, timeout: Duration) async -> [String]? {
        guard !endpoint.baseURL.isEmpty, !endpoint.apiKey.isEmpty else { return nil }
        if request.candidates.isEmpty { return [] }
        let key = endpoint.baseURL
        guard await breaker.allow(key) else {
            logger.debug("router LLM \(key) skipped: circuit breaker open")
            return nil
        }
        let candidates = RoutingPrompt.shortlist(request.candidates, content: request.content, limit: maxAgents)
        let body = RoutingPrompt.body(model: endpoint.model,
                                      instructions: RoutingPrompt.instructions(roomSystemPrompt: request.systemPrompt),
                                      question: RoutingPrompt.question(candidates, content: request.content))
        let answer: OutboundHTTP.Answer
        do {
            answer = try await http.send(ChatCompletion.url(endpoint.baseURL), bearer: endpoint.apiKey, body: body, timeout: timeout)
        } catch {
            logger.warning("router LLM \(key) failed for message \(request.messageId): \(error)")
            await breaker.failed(key)
            return nil
        }
        guard (200..<300).contains(answer.status) else {
            logger.warning("router LLM \(key) answered HTTP \(answer.status) for message \(request.messageId)")
            await breaker.failed(key)
            return nil
        }
        guard let text = ChatCompletion.text(of: answer.body), !text.isEmpty, let ids = RoutingPrompt.agentIds(in: text) else {
            logger.warning("router LLM \(key) gave no readable agentIds for message \(request.messageId)")
            await breaker.answeredBadly(key)
            return nil
        }
        await breaker.succeeded(key)
        let allowed = Set(candidates.map(\.id))
        return ids.filter { allowed.contains($0) }
    }
}
