import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Foundation
import Hummingbird

/// `/api/admin/settings`: the runtime settings page (http-api §13). Changes are saved key
/// by key, then announced on the control stream so every process re-reads them.
struct SettingsController {
    let service: AuthService
    var settings: RuntimeSettings { service.runtime.settings }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.put("", use: update)
    }

    /// `SettingItem`; sensitive non-empty values are masked as their first 4 characters and `••••••••`.
    struct Item: Encodable, Sendable {
        var key: String
        var value: String
        var type: SettingDefinition.Kind
        var sensitive: Bool
        var enumValues: [String]?
        var min: Int?
        var max: Int?
        var labelKey: String
        var descKey: String
        var source: RuntimeSettings.Source
        /// `live`: every process uses a saved value within moments; `restart`: from the next start.
        var applies: SettingDefinition.Applies

        init(_ definition: SettingDefinition, value: String, source: RuntimeSettings.Source) {
            key = definition.key
            self.value = definition.sensitive && !value.isEmpty ? String(value.prefix(4)) + "••••••••" : value
            type = definition.kind
            sensitive = definition.sensitive
            enumValues = definition.enumValues
            min = definition.min
            max = definition.max
            labelKey = definition.labelKey
            descKey = definition.descKey
            self.source = source
            applies = definition.applies
        }
    }

    /// Groups in the page's order, as a JSON object whose keys keep that order.
    struct Groups: Encodable, Sendable {
        var items: [(SettingDefinition.Group, [Item])]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for (group, items) in self.items { try c.encode(items, forKey: Key(stringValue: group.rawValue)) }
        }
    }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        do {
            try await settings.reload()  // another auth process may have just written
        } catch {
            context.logger.error("cannot load settings: \(error)")
            throw APIError(500, "Failed to load settings")
        }
        let groups = SettingDefinition.Group.allCases.map { group in
            (group, SettingsRegistry.all.filter { $0.group == group }.map { definition in
                let (value, source) = settings.resolve(definition)
                return Item(definition, value: value, source: source)
            })
        }
        return ok(Groups(items: groups))
    }

    struct Updated: Encodable, Sendable { var updated: [String] }

    /// Each key is checked and saved on its own: keys that pass are saved even when others
    /// fail, and the answer is then 400 with every problem joined by `; ` and `data.updated`.
    func update(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await context.requireAdmin()
        let (body, bytes) = try await request.jsonBodyAndBytes()
        guard case .object(let changes) = body["changes"] else { throw APIError(400, #"Missing "changes" object"#) }
        let keys = JSONKeyOrder.keys(in: bytes, at: ["changes"]) ?? changes.keys.sorted()

        var errors: [String] = []
        var updated: [String] = []
        for key in keys {
            guard let raw = changes[key] else { continue }
            guard let definition = SettingsRegistry.definition(key) else {
                errors.append("Unknown setting: \(key)")
                continue
            }
            let value = JSString.coerce(raw)
            if let problem = definition.problem(with: value) {
                errors.append(problem)
                continue
            }
            do {
                try await service.settingsStore.save(definition, value: value, by: caller.id)
                updated.append(key)
            } catch {
                context.logger.error("cannot save setting \(key): \(error)")
                errors.append("Failed to save setting")
            }
        }

        if !updated.isEmpty {
            try? await settings.reload()
            do {
                try await service.runtime.publish(BusStream.control, ControlEvent.settingsChanged(keys: updated))
            } catch {
                context.logger.error("cannot announce settings change: \(error)")
            }
            await service.audit.record(.settingUpdate, userId: caller.id, targetType: "setting",
                                       metadata: ["keys": .array(updated.map(JSONValue.string))], ip: context.clientAddress)
        }
        guard errors.isEmpty else {
            return jsonResponse(FailedUpdate(error: errors.joined(separator: "; "), data: Updated(updated: updated)), status: .badRequest)
        }
        return ok(Updated(updated: updated))
    }

    /// `{ok:false, error, data:{updated}}`: a failure that still reports what was saved.
    struct FailedUpdate: Encodable, Sendable {
        let ok = false
        var error: String
        var data: Updated
    }
}

/// JavaScript's `String(value)` for a JSON value, as the settings form's values are coerced.
enum JSString {
    static func coerce(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .number(let number):
            if number.rounded() == number, abs(number) < 9e15 { String(Int64(number)) } else { "\(number)" }
        case .array(let items): items.map { $0 == .null ? "" : coerce($0) }.joined(separator: ",")
        case .object: "[object Object]"
        }
    }
}
