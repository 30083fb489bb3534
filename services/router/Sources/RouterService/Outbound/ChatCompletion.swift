import AgentIMCore
import Foundation

/// The OpenAI-compatible chat-completions exchange shared by routing, the router test and
/// the `openai-chat` provider.
enum ChatCompletion {
    /// `{base}/chat/completions`, joined as the original joins it.
    static func url(_ base: String) -> String { base + "/chat/completions" }

    /// `choices[0].message.content`, else its `reasoning_content` (reasoning models), trimmed;
    /// nil when the body is not such an answer.
    static func text(of body: Data) -> String? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body),
              case .array(let choices)? = value["choices"], let message = choices.first?["message"] else { return nil }
        let content = message["content"]?.stringValue ?? message["reasoning_content"]?.stringValue ?? ""
        return content.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
