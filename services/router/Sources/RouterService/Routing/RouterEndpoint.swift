import AgentIMCore
import AgentIMRuntime

/// The LLM a room's broadcast messages are routed with.
struct RouterEndpoint: Sendable, Equatable {
    var baseURL: String
    var apiKey: String
    var model: String
}

/// Router configuration for a room (websocket §11.8): its assigned router, with the key
/// decrypted (a personal router counts only when its creator created the room), else the
/// system router of settings `router.llm.*`, else none.
struct RouterEndpointResolver: Sendable {
    static let defaultSystemModel = "gpt-4o-mini"

    let routers: RouterStore
    let runtime: Runtime

    func endpoint(for request: RouteRequest) async throws -> RouterEndpoint? {
        if let routerId = request.routerId, let router = try await routers.find(routerId) {
            if router.scope == "personal" && router.createdById != request.roomCreatedById {
                runtime.logger.warning("room \(request.roomId) uses another user's personal router \(routerId); ignored")
            } else if let key = runtime.secrets.open(router.llmApiKey) {
                return RouterEndpoint(baseURL: router.llmBaseUrl, apiKey: key, model: router.llmModel)
            } else {
                runtime.logger.error("router \(routerId): its API key cannot be decrypted; check ENCRYPTION_KEY")
            }
        }
        return systemEndpoint()
    }

    func systemEndpoint() -> RouterEndpoint? {
        let settings = runtime.settings
        let baseURL = settings.string("router.llm.baseUrl")
        let key = settings.string("router.llm.apiKey")
        guard !baseURL.isEmpty, !key.isEmpty else { return nil }
        let model = settings.string("router.llm.model")
        return RouterEndpoint(baseURL: baseURL, apiKey: key, model: model.isEmpty ? Self.defaultSystemModel : model)
    }
}
