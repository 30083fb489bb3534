import AgentIMCore
import AgentIMRuntime
import Foundation

/// `openai-image`: `POST {base}/images/generations` `{model, prompt, n: 1, size, quality}`,
/// 120 s; the first image as a URL or `b64_json`, its `revised_prompt` as the caption.
struct OpenAIImageBackend: ProviderBackend {
    let settings: ProviderSettings
    let http: ProviderHTTP

    var bearer: (String, String) { ("Authorization", "Bearer \(settings.string("apiKey"))") }

    func invoke(prompt: String, senderName: String) async throws(ProviderFailure) -> ProviderOutcome {
        let body: JSONValue = .object(["model": settings["model"], "prompt": .string(prompt), "n": .number(1),
                                       "size": settings["size"], "quality": settings["quality"]])
        // The JSON may carry the image itself, base64.
        let answer = try await http.send(.POST, settings.baseURL + "/images/generations", headers: [bearer], body: .json(body),
                                         timeout: .seconds(120), limit: GeneratedMedia.maxBytes / 3 * 4 + (1 << 20))
        guard answer.ok else { throw ProviderFailure("\(http.api) error (\(answer.status)): \(ProviderText.detail(answer.body))") }
        guard let image = answer.json?["data"]?.arrayValue?.first else { throw ProviderFailure("\(http.api) returned no image") }
        let source: ProviderMedia.Source
        if let url = image["url"]?.stringValue, !url.isEmpty {
            source = .url(url)
        } else if let encoded = image["b64_json"]?.stringValue, !encoded.isEmpty {
            guard let bytes = Data(base64Encoded: encoded) else { throw ProviderFailure("\(http.api) returned an unreadable image") }
            source = .bytes(bytes)
        } else {
            throw ProviderFailure("\(http.api) returned no image")
        }
        return .media(ProviderMedia(source: source, kind: .image, mimeType: "image/png", filename: "image-\(ProviderText.millis()).png",
                                    caption: image["revised_prompt"]?.stringValue))
    }

    /// The same key lists the models: `GET {base}/models`.
    func validate() async -> ServiceAgentsController.Validation {
        do throws(ProviderFailure) {
            let answer = try await http.send(.GET, settings.baseURL + "/models", headers: [bearer], timeout: .seconds(10))
            return answer.ok ? .init(valid: true) : .init(valid: false, error: "API returned \(answer.status)")
        } catch {
            return .init(valid: false, error: error.message)
        }
    }
}
