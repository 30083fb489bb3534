import AgentIMCore
import Foundation

/// `runway`: `POST {base}/text_to_video` (API version `2024-11-06`, 30 s) answers a task id;
/// `GET {base}/tasks/{id}` (15 s) every 10 s for at most 5 minutes until `SUCCEEDED` with
/// `output[0]`, or `FAILED` with `failure`.
struct RunwayBackend: ProviderBackend {
    let settings: ProviderSettings
    let http: ProviderHTTP

    static let version = ("X-Runway-Version", "2024-11-06")
    var headers: [(String, String)] { [("Authorization", "Bearer \(settings.string("apiKey"))"), Self.version] }

    func pending(_ id: String, _ status: String) -> PendingTask {
        PendingTask(taskId: id, interval: .seconds(10), maxWait: .seconds(300), statusMessage: status)
    }

    func invoke(prompt: String, senderName: String) async throws(ProviderFailure) -> ProviderOutcome {
        let body: JSONValue = .object(["model": settings["model"], "promptText": .string(prompt),
                                       "duration": .number(Double(settings.string("duration")) ?? 5), "ratio": settings["ratio"]])
        let answer = try await http.send(.POST, settings.baseURL + "/text_to_video", headers: headers, body: .json(body), timeout: .seconds(30))
        guard answer.ok else { throw ProviderFailure("\(http.api) error (\(answer.status)): \(ProviderText.detail(answer.body))") }
        guard let id = answer.json?["id"]?.stringValue, !id.isEmpty else { throw ProviderFailure("\(http.api) returned no task ID") }
        return .pending(pending(id, "Generating video... This may take 1-3 minutes."))
    }

    func poll(taskId: String) async throws(ProviderFailure) -> ProviderOutcome {
        let answer = try await http.send(.GET, settings.baseURL + "/tasks/" + ProviderHTTP.segment(taskId), headers: headers, timeout: .seconds(15))
        guard answer.ok else { throw ProviderFailure("Runway poll error (\(answer.status))") }
        let value = answer.json
        let status = value?["status"]?.stringValue
        if status == "FAILED" {
            throw ProviderFailure("Runway generation failed: \(value?["failure"]?.stringValue ?? "unknown")")
        }
        if status == "SUCCEEDED", let url = value?["output"]?.arrayValue?.first?.stringValue {
            return .media(ProviderMedia(source: .url(url), kind: .video, mimeType: "video/mp4",
                                        filename: "video-\(ProviderText.millis()).mp4", caption: nil))
        }
        return .pending(pending(taskId, "Video generation in progress (\(status ?? "processing"))..."))
    }

    /// `GET {base}/organization`: the key's organisation (credits), free of charge.
    func validate() async -> ServiceAgentsController.Validation {
        do throws(ProviderFailure) {
            let answer = try await http.send(.GET, settings.baseURL + "/organization", headers: headers, timeout: .seconds(10))
            return answer.ok ? .init(valid: true) : .init(valid: false, error: "API returned \(answer.status)")
        } catch {
            return .init(valid: false, error: error.message)
        }
    }
}
