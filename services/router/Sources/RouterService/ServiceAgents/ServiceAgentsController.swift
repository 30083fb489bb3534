import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/service-agents` (http-api §14), admins only: server-side bots backed by provider APIs.
struct ServiceAgentsController {
    let service: RouterService
    var store: ServiceAgentStore { service.serviceAgents }

    static let dangerousKeys: Set<String> = ["__proto__", "constructor", "prototype"]

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("providers", use: providers)
        group.get("", use: list)
        group.post("", use: create)
        group.get(":id", use: show)
        group.put(":id", use: update)
        group.delete(":id", use: delete)
        group.post(":id/validate", use: validate)
    }

    struct ProviderView: Encodable, Sendable {
        var type: String
        var displayName: String
        var category: String
        var description: String
        var configSchema: JSONValue
    }

    func providers(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        return ok(ServiceAgentProviders.all.map {
            ProviderView(type: $0.type, displayName: $0.displayName, category: $0.category, description: $0.description, configSchema: $0.configSchema)
        })
    }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        return ok(try await store.all().map { ServiceAgentView(record: $0) })
    }

    func show(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        let id = try context.parameters.id("id")
        guard let record = try await store.find(id) else { throw APIError(404, "Service agent not found") }
        var config = openConfig(record) ?? [:]
        if case .string(let key)? = config["apiKey"], !key.isEmpty { config["apiKey"] = .string(SecretMask.serviceAgentKey(key)) }
        return ok(ServiceAgentView(record: record, config: .object(config)))
    }

    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await context.requireAdmin()
        let body = try await request.jsonBody()
        if !body.isObject { throw APIError.validation(Self.rootIssues(body)) }
        var issues: [APIError.FieldIssue] = []
        var reader = FieldReader(body)
        let name = reader.checkedString("name", [FieldReader.minLength(1), FieldReader.maxLength(100), FieldReader.notBlank("validation.nameWhitespace")])
        let type = reader.oneOf("type", ServiceAgentProviders.types) ?? (reader.has("type") ? nil : "openai-chat")
        let category = reader.oneOf("category", ServiceAgentProviders.categories)
        let description = reader.checkedString("description", optional: true, [FieldReader.maxLength(1000)])
        let config = Self.readConfig(&reader, optional: false)
        issues += reader.issues
        // The cross-field rules run only on an otherwise well-typed body, as the original's refinement does.
        if let type, let config, issues.isEmpty || issues.allSatisfy({ $0.field == "name" || $0.field == "description" }) {
            if type != "custom", !Self.truthy(config["apiKey"]) { issues.append(.init(field: "config.apiKey", message: "validation.serviceAgentApiKeyRequired")) }
            if ["openai-chat", "openai-image", "perplexity", "runway", "meshy"].contains(type), !Self.truthy(config["model"]) {
                issues.append(.init(field: "config.model", message: "validation.serviceAgentModelRequired"))
            }
            if type == "elevenlabs", !Self.truthy(config["voiceId"]) {
                issues.append(.init(field: "config.voiceId", message: "validation.serviceAgentVoiceIdRequired"))
            }
        }
        if !issues.isEmpty { throw APIError.validation(issues) }
        guard let name, let type, let config else { throw APIError.invalidJSON }
        let provider = ServiceAgentProviders.provider(type)
        if let provider {
            let problems = provider.issues(config)
            if !problems.isEmpty { throw APIError(400, "Invalid provider config", fields: problems) }
        }
        let now = Date.nowMilliseconds
        let record = ServiceAgentRecord(id: Nanoid.make(), name: name, type: type, category: category ?? provider?.category ?? "chat",
                                        description: description, status: "active", configEncrypted: try sealConfig(config),
                                        avatarUrl: nil, createdById: caller.id, createdAt: now, updatedAt: now)
        do {
            try await store.insert(record)
        } catch where sqlState(of: error) == "23505" {
            throw DuplicateName(what: "service agent", name: name)
        }
        return ok(ServiceAgentView(record: record), status: .created)
    }

    func update(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        let id = try context.parameters.id("id")
        let body = try await request.jsonBody()
        if !body.isObject { throw APIError.validation(Self.rootIssues(body)) }
        var issues: [APIError.FieldIssue] = []
        var reader = FieldReader(body)
        let name = reader.checkedString("name", optional: true, [FieldReader.minLength(1), FieldReader.maxLength(100), FieldReader.notBlank("validation.nameWhitespace")])
        let type = reader.oneOf("type", ServiceAgentProviders.types)
        let category = reader.oneOf("category", ServiceAgentProviders.categories)
        var description: String?? = nil
        if reader.isNull("description") {
            description = .some(nil)
        } else if let text = reader.checkedString("description", optional: true, [FieldReader.maxLength(1000)]) {
            description = .some(text)
        }
        let status = reader.oneOf("status", ServiceAgentProviders.statuses)
        let config = Self.readConfig(&reader, optional: true)
        issues += reader.issues
        if !issues.isEmpty { throw APIError.validation(issues) }
        guard var record = try await store.find(id) else { throw APIError(404, "Service agent not found") }
        if let name { record.name = name }
        if let type { record.type = type }
        if let category { record.category = category }
        if let description { record.description = description }
        if let status { record.status = status }
        if let config {
            // Shallow merge: keys not sent (the API key, typically) keep their stored values.
            let merged = (openConfig(record) ?? [:]).merging(config) { _, new in new }
            if let provider = ServiceAgentProviders.provider(record.type) {
                let problems = provider.issues(merged)
                if !problems.isEmpty { throw APIError(400, "Invalid provider config", fields: problems) }
            }
            record.configEncrypted = try sealConfig(merged)
        }
        record.updatedAt = Date.nowMilliseconds
        do {
            try await store.update(record)
        } catch where sqlState(of: error) == "23505" {
            throw DuplicateName(what: "service agent", name: record.name)
        }
        return ok(ServiceAgentView(record: record))
    }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        let id = try context.parameters.id("id")
        guard try await store.find(id) != nil else { throw APIError(404, "Service agent not found") }
        try await store.delete(id)
        return okEmpty()
    }

    struct Validation: Encodable, Sendable {
        var valid: Bool
        var error: String?
        var message: String?
    }

    func validate(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        guard let id = context.parameters.get("id"), let record = try await store.find(id) else {
            throw APIError(404, "Service agent not found")
        }
        guard let provider = ServiceAgentProviders.provider(record.type) else {
            return ok(Validation(valid: true, message: "No validation available"))
        }
        guard let config = openConfig(record) else { return ok(Validation(valid: false, error: "Failed to decrypt config")) }
        let problems = provider.issues(config)
        if !problems.isEmpty {
            return ok(Validation(valid: false, error: problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")))
        }
        return ok(await ServiceAgentCaller(service: service).validate(type: provider.type, config: config))
    }

    // MARK: config

    func openConfig(_ record: ServiceAgentRecord) -> [String: JSONValue]? {
        guard let text = service.runtime.secrets.open(record.configEncrypted),
              case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        return object
    }

    func sealConfig(_ config: [String: JSONValue]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return try service.runtime.secrets.seal(String(decoding: try encoder.encode(config), as: UTF8.self))
    }

    /// `config`: an object without prototype-polluting keys.
    static func readConfig(_ reader: inout FieldReader, optional: Bool) -> [String: JSONValue]? {
        guard let raw = reader.raw("config") else {
            if !optional { reader.fail("config", "Required") }
            return nil
        }
        guard case .object(let object) = raw else {
            reader.fail("config", "Expected object, received \(FieldReader.kind(of: raw))")
            return nil
        }
        if object.keys.contains(where: dangerousKeys.contains) {
            reader.fail("config", "validation.configDangerousKey")
            return nil
        }
        return object
    }

    /// Service-agent routes name a whole-body issue with an empty path (http-api §1.2).
    static func rootIssues(_ body: JSONValue) -> [APIError.FieldIssue] {
        body.isObject ? [] : [.init(field: "", message: "Expected object, received \(FieldReader.kind(of: body))")]
    }

    /// JavaScript truthiness, for the original's `!config.apiKey`.
    static func truthy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: false
        case .bool(let flag)?: flag
        case .number(let number)?: number != 0 && !number.isNaN
        case .string(let text)?: !text.isEmpty
        default: true
        }
    }
}

extension JSONValue {
    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
