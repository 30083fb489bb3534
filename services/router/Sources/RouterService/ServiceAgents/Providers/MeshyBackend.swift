import AgentIMCore
import Foundation

/// `meshy`: `POST {base}/text-to-3d` (preview mode, 30 s) answers a task id in `result`;
/// `GET {base}/text-to-3d/{id}` (15 s) every 10 s for at most 10 minutes until `SUCCEEDED`
/// with `model_urls.glb`, or `FAILED` with `task_error.message`.
struct MeshyBackend: ProviderBackend {
    let settings: ProviderSettings
    let http: ProviderHTTP

    var headers: [(String, String)] { [("Authorization", "Bearer \(settings.string("apiKey"))")] }

    func pending(_ id: String, _ status: String) -> PendingTask {
        PendingTask(taskId: id, interval: .seconds(10), maxWait: .seconds(600), statusMessage: status)
    }

    func invoke(prompt: String, senderName: String) async throws(ProviderFailure) -> ProviderOutcome {
        let body: JSONValue = .object(["mode": .string("preview"), "prompt": .string(prompt), "art_style": settings["artStyle"],
                                       "topology": settings["topology"], "target_polycount": settings["targetPolycount"]])
        let answer = try await http.send(.POST, settings.baseURL + "/text-to-3d", headers: headers, body: .json(body), timeout: .seconds(30))
        guard answer.ok else { throw ProviderFailure("\(http.api) error (\(answer.status)): \(ProviderText.detail(answer.body))") }
        guard let id = answer.json?["result"]?.stringValue, !id.isEmpty else { throw ProviderFailure("\(http.api) returned no task ID") }
        return .pending(pending(id, "Generating 3D model... This may take 1-5 minutes."))
    }

    func poll(taskId: String) async throws(ProviderFailure) -> ProviderOutcome {
        let answer = try await http.send(.GET, settings.baseURL + "/text-to-3d/" + ProviderHTTP.segment(taskId), headers: headers, timeout: .seconds(15))
        guard answer.ok else { throw ProviderFailure("Meshy poll error (\(answer.status))") }
        let value = answer.json
        let status = value?["status"]?.stringValue
        if status == "FAILED" {
            throw ProviderFailure("Meshy generation failed: \(value?["task_error"]?["message"]?.stringValue ?? "unknown")")
        }
        if status == "SUCCEEDED", let url = value?["model_urls"]?["glb"]?.stringValue {
            return .media(ProviderMedia(source: .url(url), kind: .model, mimeType: "model/gltf-binary",
                                        filename: "model-\(ProviderText.millis()).glb", caption: nil))
        }
        return .pending(pending(taskId, "3D model generation in progress (\(status ?? "processing"))..."))
    }

    /// `GET {base}/text-to-3d?page_size=1`: the key's own task list, free of charge.
    func validate() async -> ServiceAgentsController.Validation {
        do throws(ProviderFailure) {
            let answer = try await http.send(.GET, settings.baseURL + "/text-to-3d?page_size=1", headers: headers, timeout: .seconds(10))
            return answer.ok ? .init(valid: true) : .init(valid: false, error: "API returned \(answer.status)")
        } catch {
            return .init(valid: false, error: error.message)
        }
    }
}
