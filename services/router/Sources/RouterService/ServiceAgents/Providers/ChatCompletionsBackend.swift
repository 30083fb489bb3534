import AgentIMCore
import Foundation

/// `openai-chat` and `perplexity`: one chat-completions request, 60 s. OpenAI-compatible
/// APIs get the user turn as `[sender]: content`; Perplexity the prompt alone, and its
/// `citations` are listed under the answer.
struct ChatCompletionsBackend: ProviderBackend {
    let settings: ProviderSettings
    let http: ProviderHTTP
    /// `perplexity`: bare prompt, citations, validation by a one-token request (it lists no models).
    let isPerplexity: Bool

    static let timeout: Duration = .seconds(60)

    var bearer: (String, String) { ("Authorization", "Bearer \(settings.string("apiKey"))") }

    func invoke(prompt: String, senderName: String) async throws(ProviderFailure) -> ProviderOutcome {
        var messages: [JSONValue] = []
        if let system = settings.optionalString("systemPrompt"), !system.isEmpty {
            messages.append(.object(["role": .string("system"), "content": .string(system)]))
        }
        let user = isPerplexity ? prompt : "[\(senderName)]: \(prompt)"
        messages.append(.object(["role": .string("user"), "content": .string(user)]))
        let body: JSONValue = .object(["model": settings["model"], "messages": .array(messages), "max_tokens": settings["maxTokens"]])
        let answer = try await http.send(.POST, ChatCompletion.url(settings.baseURL), headers: [bearer], body: .json(body), timeout: Self.timeout)
        guard answer.ok else { throw ProviderFailure("\(http.api) error (\(answer.status)): \(ProviderText.detail(answer.body))") }
        guard let value = answer.json, value.objectValue != nil else { throw ProviderFailure("\(http.api) returned an unreadable answer") }
        // Some compatible servers answer 200 with an error object instead of a status.
        if let error = value["error"], error != .null {
            let message = error["message"]?.stringValue ?? error.stringValue ?? "unknown error"
            throw ProviderFailure("\(http.api) error: \(message)")
        }
        guard let choices = value["choices"]?.arrayValue, let first = choices.first else {
            throw ProviderFailure("\(http.api) returned no choices")
        }
        guard var content = first["message"]?["content"]?.stringValue, !content.isEmpty else {
            throw ProviderFailure("\(http.api) returned an empty answer")
        }
        if isPerplexity, let citations = value["citations"]?.arrayValue?.compactMap(\.stringValue), !citations.isEmpty {
            content += "\n\n---\n**Sources:**\n" + citations.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n")
        }
        return .text(content)
    }

    /// OpenAI-compatible: `GET {base}/models`. Perplexity: a one-token completion.
    func validate() async -> ServiceAgentsController.Validation {
        do throws(ProviderFailure) {
            let answer: ProviderHTTP.Answer
            if isPerplexity {
                let body: JSONValue = .object(["model": settings["model"], "max_tokens": .number(1),
                                               "messages": .array([.object(["role": .string("user"), "content": .string("ping")])])])
                answer = try await http.send(.POST, ChatCompletion.url(settings.baseURL), headers: [bearer], body: .json(body), timeout: .seconds(10))
            } else {
                answer = try await http.send(.GET, settings.baseURL + "/models", headers: [bearer], timeout: .seconds(10))
            }
            return answer.ok ? .init(valid: true) : .init(valid: false, error: "API returned \(answer.status)")
        } catch {
            return .init(valid: false, error: error.message)
        }
    }
}
