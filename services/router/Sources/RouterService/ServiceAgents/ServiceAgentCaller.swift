import AgentIMBus
import AgentIMCore
import Foundation

/// Answers `RouterCommand.callServiceAgent` (websocket §11.7): finds the active service agent
/// the mention names and calls its provider; the reply or the failure goes back to rooms,
/// which stores the reply under the call's `requestId` (so a redelivered call stores one).
struct ServiceAgentCaller: Sendable {
    let service: RouterService

    static let timeout: Duration = .seconds(60)

    func answer(_ call: ServiceAgentCall) async throws {
        guard let agent = try await service.serviceAgents.active(named: call.mentionName) else {
            service.runtime.logger.debug("no active service agent named \(call.mentionName)")
            return
        }
        let outcome: Result<String, CallFailure>
        if let text = service.runtime.secrets.open(agent.configEncrypted),
           case .object(let config)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
            outcome = await invoke(agent, config: config, call: call)
        } else {
            outcome = .failure(CallFailure(message: "Failed to decrypt config"))
        }
        let command: RoomsCommand
        switch outcome {
        case .success(let content):
            command = .serviceAgentReplied(ServiceAgentReply(requestId: call.requestId, roomId: call.roomId, serviceAgentId: agent.id,
                                                             serviceAgentName: agent.name, content: content))
        case .failure(let failure):
            service.runtime.logger.warning("service agent \(agent.name) failed on \(call.requestId): \(failure.message)")
            command = .serviceAgentFailed(ServiceAgentFailure(requestId: call.requestId, roomId: call.roomId,
                                                              serviceAgentName: agent.name, error: failure.message))
        }
        try await service.runtime.publish(BusStream.roomsCommands, command)
    }

    struct CallFailure: Error {
        var message: String
    }

    func invoke(_ agent: ServiceAgentRecord, config: [String: JSONValue], call: ServiceAgentCall) async -> Result<String, CallFailure> {
        guard agent.type == "openai-chat" else {
            return .failure(CallFailure(message: "Provider \"\(agent.type)\" is not supported by this hub yet"))
        }
        if let problem = ServiceAgentProviders.provider(agent.type)?.issues(config).first {
            return .failure(CallFailure(message: "Invalid provider config: \(problem.field): \(problem.message)"))
        }
        return await openAIChat(config, call: call)
    }

    /// `openai-chat`: `{model, messages: [system?, user "[sender]: content"], max_tokens}` to
    /// `{baseUrl}/chat/completions`, 60 s.
    func openAIChat(_ config: [String: JSONValue], call: ServiceAgentCall) async -> Result<String, CallFailure> {
        let baseURL = config["baseUrl"]?.stringValue ?? ""
        if let refusal = privateNetworkRefusal(baseURL) { return .failure(CallFailure(message: refusal)) }
        var messages: [JSONValue] = []
        if let prompt = config["systemPrompt"]?.stringValue, !prompt.isEmpty {
            messages.append(.object(["role": .string("system"), "content": .string(prompt)]))
        }
        messages.append(.object(["role": .string("user"), "content": .string("[\(call.senderName)]: \(call.content)")]))
        let body: JSONValue = .object([
            "model": config["model"] ?? .string(""),
            "messages": .array(messages),
            "max_tokens": config["maxTokens"] ?? .number(4096),
        ])
        do {
            let answer = try await service.http.send(ChatCompletion.url(baseURL), bearer: config["apiKey"]?.stringValue ?? "",
                                                     body: try JSONEncoder().encode(body), timeout: Self.timeout)
            guard (200..<300).contains(answer.status) else {
                let detail = String(decoding: answer.body.prefix(500), as: UTF8.self)
                return .failure(CallFailure(message: "OpenAI API error (\(answer.status)): \(detail)"))
            }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: answer.body) else {
                return .failure(CallFailure(message: "OpenAI API returned an unreadable answer"))
            }
            if case .array(let choices)? = value["choices"], let content = choices.first?["message"]?["content"]?.stringValue {
                return .success(content)
            }
            return .success("")
        } catch OutboundHTTP.Failure.timedOut {
            return .failure(CallFailure(message: "OpenAI API did not answer within 60s"))
        } catch {
            return .failure(CallFailure(message: "Connection to the OpenAI API failed"))
        }
    }

    /// `POST /:id/validate` for `openai-chat`: `GET {baseUrl}/models` answers 2xx.
    func checkOpenAIChat(_ config: [String: JSONValue]) async -> ServiceAgentsController.Validation {
        let baseURL = config["baseUrl"]?.stringValue ?? ""
        if let refusal = privateNetworkRefusal(baseURL) { return .init(valid: false, error: refusal) }
        do {
            let answer = try await service.http.send(baseURL + "/models", bearer: config["apiKey"]?.stringValue ?? "", body: nil, timeout: .seconds(10))
            return (200..<300).contains(answer.status) ? .init(valid: true) : .init(valid: false, error: "API returned \(answer.status)")
        } catch {
            return .init(valid: false, error: "\(error)")
        }
    }

    /// Provider base URLs may not point into private networks (unless `ROUTER_ALLOW_PRIVATE_URLS`).
    func privateNetworkRefusal(_ baseURL: String) -> String? {
        guard !service.config.allowPrivateURLs, URLSafety.isInternal(baseURL) else { return nil }
        return "Base URL points to a private network (SSRF blocked)"
    }
}
