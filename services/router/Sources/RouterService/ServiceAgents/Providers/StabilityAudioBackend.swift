import AgentIMCore
import AgentIMRuntime
import Foundation

/// `stability-audio`: `POST {base}/audio/generate` as multipart (`prompt`, `duration_seconds`,
/// `output_format`), 120 s. The answer holds the audio (base64) or a task id; then
/// `GET {base}/audio/generate/{id}` (15 s) every 5 s for at most 3 minutes.
struct StabilityAudioBackend: ProviderBackend {
    let settings: ProviderSettings
    let http: ProviderHTTP

    var headers: [(String, String)] { [("Authorization", "Bearer \(settings.string("apiKey"))"), ("Accept", "application/json")] }
    var audioLimit: Int { GeneratedMedia.maxBytes / 3 * 4 + (1 << 20) }

    func pending(_ id: String, _ status: String) -> PendingTask {
        PendingTask(taskId: id, interval: .seconds(5), maxWait: .seconds(180), statusMessage: status)
    }

    func media(_ encoded: String, caption: String?) throws(ProviderFailure) -> ProviderOutcome {
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { throw ProviderFailure("\(http.api) returned unreadable audio") }
        let format = settings.string("outputFormat")
        return .media(ProviderMedia(source: .bytes(bytes), kind: .audio, mimeType: format == "mp3" ? "audio/mpeg" : "audio/wav",
                                    filename: "music-\(ProviderText.millis()).\(format)", caption: caption))
    }

    func invoke(prompt: String, senderName: String) async throws(ProviderFailure) -> ProviderOutcome {
        let form = Multipart(fields: [("prompt", prompt), ("duration_seconds", ConfigField.text(settings.number("durationSeconds"))),
                                      ("output_format", settings.string("outputFormat"))])
        let answer = try await http.send(.POST, settings.baseURL + "/audio/generate", headers: headers,
                                         body: .raw(form.body, contentType: form.contentType), timeout: .seconds(120), limit: audioLimit)
        guard answer.ok else { throw ProviderFailure("\(http.api) error (\(answer.status)): \(ProviderText.detail(answer.body))") }
        let value = answer.json
        if let audio = value?["audio"]?.stringValue, !audio.isEmpty { return try media(audio, caption: ProviderText.prefix(prompt, 200)) }
        if let id = value?["id"]?.stringValue, !id.isEmpty { return .pending(pending(id, "Generating music... This may take a minute.")) }
        throw ProviderFailure("\(http.api) returned unexpected response")
    }

    func poll(taskId: String) async throws(ProviderFailure) -> ProviderOutcome {
        let answer = try await http.send(.GET, settings.baseURL + "/audio/generate/" + ProviderHTTP.segment(taskId), headers: headers,
                                         timeout: .seconds(15), limit: audioLimit)
        guard answer.ok else { throw ProviderFailure("Stability Audio poll error (\(answer.status))") }
        let value = answer.json
        let status = value?["status"]?.stringValue
        if status == "failed" { throw ProviderFailure("Stability Audio generation failed") }
        if let audio = value?["audio"]?.stringValue, !audio.isEmpty { return try media(audio, caption: nil) }
        return .pending(pending(taskId, "Music generation in progress (\(status ?? "processing"))..."))
    }

    /// `GET …/v1/user/account` beside the API root (`https://api.stability.ai/v1/user/account`
    /// for the default `…/v2beta`): who the key belongs to, free of charge.
    func validate() async -> ServiceAgentsController.Validation {
        var root = settings.baseURL
        if let slash = root.lastIndex(of: "/"), !root[..<slash].hasSuffix("/") { root = String(root[..<slash]) }
        do throws(ProviderFailure) {
            let answer = try await http.send(.GET, root + "/v1/user/account", headers: headers, timeout: .seconds(10))
            return answer.ok ? .init(valid: true) : .init(valid: false, error: "API returned \(answer.status)")
        } catch {
            return .init(valid: false, error: error.message)
        }
    }
}

/// A `multipart/form-data` body of plain text fields.
struct Multipart {
    let boundary = "agentim-" + Nanoid.make()
    let fields: [(String, String)]

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    var body: Data {
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        return Data((text + "--\(boundary)--\r\n").utf8)
    }
}
