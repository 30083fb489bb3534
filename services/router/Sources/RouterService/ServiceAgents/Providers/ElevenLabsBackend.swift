import AgentIMCore
import AgentIMRuntime
import Foundation

/// `elevenlabs`: `POST {base}/text-to-speech/{voiceId}` with `xi-api-key`, 60 s; the answer
/// is the audio itself. The caption is the prompt's first 200 characters.
struct ElevenLabsBackend: ProviderBackend {
    let settings: ProviderSettings
    let http: ProviderHTTP

    var key: (String, String) { ("xi-api-key", settings.string("apiKey")) }

    func invoke(prompt: String, senderName: String) async throws(ProviderFailure) -> ProviderOutcome {
        let format = settings.string("outputFormat")
        let body: JSONValue = .object([
            "text": .string(prompt),
            "model_id": settings["modelId"],
            "voice_settings": .object(["stability": settings["stability"], "similarity_boost": settings["similarityBoost"]]),
            "output_format": .string(format),
        ])
        // The API reads the format from the query; the original also sent it in the body.
        let url = settings.baseURL + "/text-to-speech/" + ProviderHTTP.segment(settings.string("voiceId"))
            + "?output_format=" + ProviderHTTP.segment(format)
        let answer = try await http.send(.POST, url, headers: [key, ("Accept", "audio/mpeg")], body: .json(body),
                                         timeout: .seconds(60), limit: GeneratedMedia.maxBytes)
        guard answer.ok else { throw ProviderFailure("\(http.api) error (\(answer.status)): \(ProviderText.detail(answer.body))") }
        guard !answer.body.isEmpty, MediaDownload.accepts(answer.contentType, kind: .audio) else {
            throw ProviderFailure("\(http.api) returned no audio (\(answer.contentType.isEmpty ? "empty" : answer.contentType))")
        }
        let mp3 = format.hasPrefix("mp3")
        return .media(ProviderMedia(source: .bytes(answer.body), kind: .audio, mimeType: mp3 ? "audio/mpeg" : "audio/wav",
                                    filename: "speech-\(ProviderText.millis()).\(mp3 ? "mp3" : "wav")",
                                    caption: ProviderText.prefix(prompt, 200)))
    }

    /// `GET {base}/voices` with the key.
    func validate() async -> ServiceAgentsController.Validation {
        do throws(ProviderFailure) {
            let answer = try await http.send(.GET, settings.baseURL + "/voices", headers: [key], timeout: .seconds(10))
            return answer.ok ? .init(valid: true) : .init(valid: false, error: "API returned \(answer.status)")
        } catch {
            return .init(valid: false, error: error.message)
        }
    }
}
