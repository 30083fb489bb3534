import AgentIMCore
import AgentIMHTTP
import AgentIMDatabase
import Foundation
import Hummingbird

/// `/api/routers` (http-api §10): LLM endpoints people save to route broadcast rooms.
struct RoutersController {
    let service: RouterService
    var routers: RouterStore { service.routers }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.post("", use: create)
        group.get(":id", use: show)
        group.put(":id", use: update)
        group.delete(":id", use: delete)
        group.post(":id/test", use: test)
    }

    func view(_ record: RouterRecord) -> RouterView {
        RouterView(record: record, maskedKey: SecretMask.routerKey(service.runtime.secrets.open(record.llmApiKey)))
    }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        if try await context.isAdmin(caller) {
            return ok(try await routers.all().map(view))
        }
        let visible = try await routers.personalAndGlobal(of: caller.id).filter { $0.isVisible(to: caller.id) }
        return ok(visible.map(view))
    }

    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let input = try RouterInput.read(try await request.jsonBody(), creating: true)
        guard let name = input.name, let scope = input.scope, let baseURL = input.llmBaseUrl, let key = input.llmApiKey,
              let model = input.llmModel else { throw APIError.invalidJSON }
        if await service.urlGuard.isRefused(baseURL) { throw APIError(400, LLMURLGuard.refusal) }
        if scope == "global", !(try await context.isAdmin(caller)) {
            throw APIError(403, "Admin access required to create global routers")
        }
        let now = Date.nowMilliseconds
        let record = RouterRecord(id: Nanoid.make(), name: name, description: input.description ?? nil, scope: scope,
                                  createdById: caller.id, llmBaseUrl: baseURL, llmApiKey: try service.runtime.secrets.seal(key),
                                  llmModel: model, maxChainDepth: input.maxChainDepth ?? 5, rateLimitWindow: input.rateLimitWindow ?? 60,
                                  rateLimitMax: input.rateLimitMax ?? 20, visibility: input.visibility ?? "all",
                                  visibilityList: input.visibilityList ?? [], createdAt: now, updatedAt: now)
        try await insertReportingDuplicates(record)
        await service.audit(context, caller: caller.id, action: "router_create", target: record.id)
        return ok(view(record), status: .created)
    }

    /// The original lets the unique index fail into a 500; so does this, with a readable message.
    func insertReportingDuplicates(_ record: RouterRecord) async throws {
        do {
            try await routers.insert(record)
        } catch where sqlState(of: error) == "23505" {
            throw DuplicateName(what: "router", name: record.name)
        }
    }

    func show(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        return ok(view(try await visibleRouter(id, caller: caller, context: context)))
    }

    /// The router when the caller may see it (admins see all); else 404 `Router not found`.
    func visibleRouter(_ id: String, caller: Caller, context: HubRequestContext) async throws -> RouterRecord {
        guard let record = try await routers.find(id) else { throw APIError(404, "Router not found") }
        if record.isVisible(to: caller.id) { return record }
        if try await context.isAdmin(caller) { return record }
        throw APIError(404, "Router not found")
    }

    func update(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        let input = try RouterInput.read(try await request.jsonBody(), creating: false)
        guard var record = try await routers.find(id) else { throw APIError(404, "Router not found") }
        if record.createdById != caller.id, !(try await context.isAdmin(caller)) {
            throw APIError(403, "Only the router owner or admin can update")
        }
        if let url = input.llmBaseUrl, await service.urlGuard.isRefused(url) { throw APIError(400, LLMURLGuard.refusal) }
        if let name = input.name { record.name = name }
        if let description = input.description { record.description = description }
        if let url = input.llmBaseUrl { record.llmBaseUrl = url }
        if let key = input.llmApiKey { record.llmApiKey = try service.runtime.secrets.seal(key) }
        if let model = input.llmModel { record.llmModel = model }
        if let depth = input.maxChainDepth { record.maxChainDepth = depth }
        if let window = input.rateLimitWindow { record.rateLimitWindow = window }
        if let max = input.rateLimitMax { record.rateLimitMax = max }
        // Visibility means nothing on a personal router: silently ignored there.
        if record.scope == "global" {
            if let visibility = input.visibility { record.visibility = visibility }
            if let list = input.visibilityList { record.visibilityList = list }
        }
        record.updatedAt = Date.nowMilliseconds
        do {
            try await routers.update(record)
        } catch where sqlState(of: error) == "23505" {
            throw DuplicateName(what: "router", name: record.name)
        }
        await service.audit(context, caller: caller.id, action: "router_update", target: id)
        return ok(view(record))
    }

    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        guard let record = try await routers.find(id) else { throw APIError(404, "Router not found") }
        if record.createdById != caller.id, !(try await context.isAdmin(caller)) {
            throw APIError(403, "Only the router owner or admin can delete")
        }
        try await routers.delete(id)
        await service.audit(context, caller: caller.id, action: "router_delete", target: id, metadata: ["name": .string(record.name)])
        return okEmpty()
    }

    /// http-api §10.6: one tiny completion. Upstream trouble is reported as 200 `{ok:false}`.
    func test(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.parameters.id("id")
        let record = try await visibleRouter(id, caller: caller, context: context)
        guard let key = service.runtime.secrets.open(record.llmApiKey) else {
            service.runtime.logger.error("router \(id): its API key cannot be decrypted; check ENCRYPTION_KEY")
            throw APIError(500, "Router configuration error")
        }
        let body: JSONValue = .object([
            "model": .string(record.llmModel),
            "messages": .array([.object(["role": .string("user"), "content": .string("Hello")])]),
            "max_tokens": .number(5),
        ])
        do {
            let answer = try await service.http.send(ChatCompletion.url(record.llmBaseUrl), bearer: key,
                                                     body: try JSONEncoder().encode(body), timeout: .seconds(10))
            if (200..<300).contains(answer.status) { return ok(TestResult()) }
            return jsonResponse(ErrorEnvelope(error: "LLM API returned HTTP \(answer.status)"))
        } catch OutboundHTTP.Failure.timedOut {
            return jsonResponse(ErrorEnvelope(error: "Connection timeout (10s)"))
        } catch {
            return jsonResponse(ErrorEnvelope(error: "Connection failed"))
        }
    }

    struct TestResult: Encodable, Sendable {
        let success = true
    }
}

/// A second router or service agent of the same name by the same creator: a 500, as in the original.
struct DuplicateName: Error, CustomStringConvertible {
    let what: String
    let name: String
    var description: String { "a \(what) named \"\(name)\" already exists for this user" }
}

extension Date {
    /// Now at millisecond precision: what is stored is what was answered.
    static var nowMilliseconds: Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
