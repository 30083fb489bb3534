import AgentIMBus
import AgentIMCore
import Crypto
import Foundation

/// Answers `RouterCommand.callServiceAgent` (websocket §11.7): finds the active service agent
/// the mention names and calls its provider outside the command worker (`ServiceAgentJobs`).
/// Text and media go back to rooms as a reply stored under the call's `requestId` (media as
/// one attachment the uploads service stored); a failed call as a notice `@<name>: <error>`.
/// Slow providers answer a task: a status message is posted, the task polled within the
/// provider's bound, and its end (result or `Generation failed: …`) posted as the reply.
struct ServiceAgentCaller: Sendable {
    let service: RouterService

    func answer(_ call: ServiceAgentCall) async throws {
        guard let agent = try await service.serviceAgents.active(named: call.mentionName) else {
            service.runtime.logger.debug("no active service agent named \(call.mentionName)")
            return
        }
        let caller = self
        switch await service.jobs.start(call.requestId, { await caller.run(agent, call) }) {
        case .started, .duplicate: break
        case .full: try await fail(agent, call, "Too many service agent calls in progress; try again later")
        }
    }

    /// The whole call, from the provider's first answer to the room's message.
    func run(_ agent: ServiceAgentRecord, _ call: ServiceAgentCall) async {
        do {
            let backend: any ProviderBackend
            switch makeBackend(agent) {
            case .success(let made): backend = made
            case .failure(let failure): return try await fail(agent, call, failure.message)
            }
            let outcome: ProviderOutcome
            do throws(ProviderFailure) {
                outcome = try await backend.invoke(prompt: call.content, senderName: call.senderName)
            } catch {
                return try await fail(agent, call, error.message)
            }
            switch outcome {
            case .text(let text):
                try await reply(agent, call, content: text)
            case .media(let media):
                do {
                    let stored = try await MediaDownload(service: service).store(media)
                    try await reply(agent, call, content: media.caption ?? "Generation complete", attachments: [stored.id])
                } catch let failure as ProviderFailure {
                    try await fail(agent, call, failure.message)
                }
            case .pending(let task):
                try await follow(task, of: backend, agent, call)
            }
        } catch {
            service.runtime.logger.error("service agent \(agent.name) could not answer \(call.requestId): \(error)")
        }
    }

    /// Posts the task's status message, polls until it ends or runs out of time, posts the end.
    func follow(_ task: PendingTask, of backend: any ProviderBackend, _ agent: ServiceAgentRecord, _ call: ServiceAgentCall) async throws {
        try await reply(agent, call, id: Self.statusMessageId(call.requestId), content: task.statusMessage)
        let interval = service.config.serviceAgentPollMs.map { Duration.milliseconds($0) } ?? task.interval
        let maxWait = service.config.serviceAgentMaxWaitMs.map { Duration.milliseconds($0) } ?? task.maxWait
        let deadline = ContinuousClock.now + maxWait
        var ending: Result<ProviderMedia?, ProviderFailure>?
        var text = ""
        while ending == nil {
            let left = deadline - ContinuousClock.now
            if left <= .zero { ending = .failure(ProviderFailure("Generation timed out")); break }
            try await LoopSleep.for(min(interval, left))
            if ContinuousClock.now >= deadline { ending = .failure(ProviderFailure("Generation timed out")); break }
            do throws(ProviderFailure) {
                switch try await backend.poll(taskId: task.taskId) {
                case .pending: continue
                case .text(let content): text = content; ending = .success(nil)
                case .media(let media): ending = .success(media)
                }
            } catch {
                ending = .failure(error)
            }
        }
        switch ending {
        case .success(let media?):
            do {
                let stored = try await MediaDownload(service: service).store(media)
                try await reply(agent, call, content: media.caption ?? "Generation complete", attachments: [stored.id])
            } catch let failure as ProviderFailure {
                try await reply(agent, call, content: "Generation failed: \(failure.message)")
            }
        case .success(nil):
            try await reply(agent, call, content: text.isEmpty ? "Generation complete" : text)
        case .failure(let failure):
            service.runtime.logger.warning("service agent \(agent.name) task \(task.taskId) failed: \(failure.message)")
            try await reply(agent, call, content: "Generation failed: \(failure.message)")
        case nil:
            break
        }
    }

    func reply(_ agent: ServiceAgentRecord, _ call: ServiceAgentCall, id: String? = nil, content: String, attachments: [String]? = nil) async throws {
        try await service.runtime.publish(BusStream.roomsCommands, RoomsCommand.serviceAgentReplied(ServiceAgentReply(
            requestId: id ?? call.requestId, roomId: call.roomId, serviceAgentId: agent.id, serviceAgentName: agent.name,
            content: content, attachmentIds: attachments)))
    }

    func fail(_ agent: ServiceAgentRecord, _ call: ServiceAgentCall, _ message: String) async throws {
        service.runtime.logger.warning("service agent \(agent.name) failed on \(call.requestId): \(message)")
        try await service.runtime.publish(BusStream.roomsCommands, RoomsCommand.serviceAgentFailed(ServiceAgentFailure(
            requestId: call.requestId, roomId: call.roomId, serviceAgentName: agent.name, error: message)))
    }

    /// The status message's id, derived from the call's so a repeated post stores one.
    static func statusMessageId(_ requestId: String) -> String {
        let digest = SHA256.hash(data: Data(("status:" + requestId).utf8))
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
        return String(digest.prefix(21).map { alphabet[Int($0) & 63] })
    }

    // MARK: providers

    /// The provider's backend for `agent`, its config decrypted and checked.
    func makeBackend(_ agent: ServiceAgentRecord) -> Result<any ProviderBackend, ProviderFailure> {
        guard let text = service.runtime.secrets.open(agent.configEncrypted),
              case .object(let config)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            return .failure(ProviderFailure("Failed to decrypt config"))
        }
        return backend(type: agent.type, config: config)
    }

    func backend(type: String, config: [String: JSONValue]) -> Result<any ProviderBackend, ProviderFailure> {
        guard let provider = ServiceAgentProviders.provider(type) else {
            return .failure(ProviderFailure("Provider \"\(type)\" has no API to call"))
        }
        if let problem = provider.issues(config).first {
            return .failure(ProviderFailure("Invalid provider config: \(problem.field): \(problem.message)"))
        }
        let settings = ProviderSettings(provider, config: config)
        if let refusal = privateNetworkRefusal(settings.baseURL) { return .failure(ProviderFailure(refusal)) }
        let client = service.http.client
        switch type {
        case "openai-chat": return .success(ChatCompletionsBackend(settings: settings, http: ProviderHTTP(client: client, api: "OpenAI API"), isPerplexity: false))
        case "perplexity": return .success(ChatCompletionsBackend(settings: settings, http: ProviderHTTP(client: client, api: "Perplexity API"), isPerplexity: true))
        case "openai-image": return .success(OpenAIImageBackend(settings: settings, http: ProviderHTTP(client: client, api: "OpenAI Image API")))
        case "elevenlabs": return .success(ElevenLabsBackend(settings: settings, http: ProviderHTTP(client: client, api: "ElevenLabs API")))
        case "runway": return .success(RunwayBackend(settings: settings, http: ProviderHTTP(client: client, api: "Runway API")))
        case "stability-audio": return .success(StabilityAudioBackend(settings: settings, http: ProviderHTTP(client: client, api: "Stability Audio API")))
        case "meshy": return .success(MeshyBackend(settings: settings, http: ProviderHTTP(client: client, api: "Meshy API")))
        default: return .failure(ProviderFailure("Provider \"\(type)\" has no API to call"))
        }
    }

    /// `POST /:id/validate`: the provider's own cheap request with this config.
    func validate(type: String, config: [String: JSONValue]) async -> ServiceAgentsController.Validation {
        switch backend(type: type, config: config) {
        case .success(let backend): return await backend.validate()
        case .failure(let failure): return .init(valid: false, error: failure.message)
        }
    }

    /// Provider base URLs may not point into private networks (unless `ROUTER_ALLOW_PRIVATE_URLS`).
    func privateNetworkRefusal(_ baseURL: String) -> String? {
        guard !service.config.allowPrivateURLs, URLSafety.isInternal(baseURL) else { return nil }
        return "Base URL points to a private network (SSRF blocked)"
    }
}
