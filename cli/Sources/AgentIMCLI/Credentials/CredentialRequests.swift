import Foundation

/// The hub's credential frames (§16.2 "Hub …", §16.3 hub spawn) answered from the local store.
/// The manager plugs these into `credentialRequests` and `spawnEnvironment`.
public struct CredentialRequests: Sendable {
    public let paths: AgentIMPaths
    public init(paths: AgentIMPaths = AgentIMPaths()) { self.paths = paths }

    func store(_ agentType: String) throws -> CredentialStore { try CredentialStore(agentType: agentType, paths: paths) }

    static func commandName(_ agentType: String) -> String { agentType == "claude-code" ? "claude" : agentType }

    /// `server:list_credentials` / `add_credential` / `manage_credential` → the reply frame; nil for other frames.
    public func answer(_ frame: ServerFrame) async -> OutboundFrame? {
        switch frame {
        case .listCredentials(let requestId, let agentType):
            let views = (try? store(agentType).safeViews()) ?? []
            return GatewayFrame.credentialList(requestId: requestId, agentType: agentType, credentials: views.map(Self.json))
        case .addCredential(let add):
            do {
                guard let mode = CredentialMode(rawValue: add.mode) else { throw CLIError("Invalid credential mode") }
                let name = add.name.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, name.count <= 100 else { throw CLIError("Credential name is required") }
                if mode == .api, (add.apiKey ?? "").isEmpty { throw CLIError("API key is required") }
                if mode == .subscription { throw CLIError("Subscription credentials are added with `agentim \(Self.commandName(add.agentType)) token` on the gateway machine") }
                if let base = add.baseUrl, !base.isEmpty, URL(string: base)?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true {
                    throw CLIError("Base URL must start with http:// or https://")
                }
                let added = try store(add.agentType).add(name: name, mode: mode, apiKey: add.apiKey, baseUrl: add.baseUrl, model: add.model)
                return GatewayFrame.credentialResult(requestId: add.requestId, success: true, error: nil, credential: CredentialRef(id: added.id, name: added.name))
            } catch {
                return GatewayFrame.credentialResult(requestId: add.requestId, success: false, error: "\(error)", credential: nil)
            }
        case .manageCredential(let manage):
            do {
                let store = try store(manage.agentType)
                let ok: Bool
                switch manage.action {
                case "rename":
                    guard let name = manage.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                        return GatewayFrame.credentialResult(requestId: manage.requestId, success: false, error: "Name is required", credential: nil)
                    }
                    ok = try store.update(id: manage.credentialId, name: name)
                case "delete": ok = try store.remove(id: manage.credentialId)
                case "set_default": ok = try store.setDefault(id: manage.credentialId)
                default: ok = false
                }
                return GatewayFrame.credentialResult(requestId: manage.requestId, success: ok, error: ok ? nil : "Credential not found", credential: nil)
            } catch {
                return GatewayFrame.credentialResult(requestId: manage.requestId, success: false, error: "\(error)", credential: nil)
            }
        default:
            return nil
        }
    }

    static func json(_ view: CredentialSafeView) -> JSON {
        var object: [String: JSON] = ["id": .string(view.id), "name": .string(view.name), "mode": .string(view.mode.rawValue),
                                      "hasApiKey": .bool(view.hasApiKey), "hasOAuthData": .bool(view.hasOAuthData),
                                      "isDefault": .bool(view.isDefault), "createdAt": .string(view.createdAt)]
        if let base = view.baseUrl { object["baseUrl"] = .string(base) }
        if let model = view.model { object["model"] = .string(model) }
        return .object(object)
    }

    public struct SelectionRequired: Error, CustomStringConvertible {
        public let credentials: [CredentialSafeView]
        public var description: String { "CREDENTIAL_SELECTION_REQUIRED" }
    }

    /// Environment for a hub-spawned agent (§16.3): resolve the credential, build its env.
    /// Built-in types need a credential; other types get none.
    public func spawnEnvironment(agentType: String, credentialId: String?) throws -> [String: String] {
        guard ["claude-code", "codex", "gemini"].contains(agentType) else { return [:] }
        let store = try store(agentType)
        guard let credential = store.resolve(id: credentialId) else {
            let all = store.list()
            if all.isEmpty {
                throw CLIError("No credentials configured for \(agentType). Run `aim \(Self.commandName(agentType)) token` on the gateway machine.")
            }
            throw SelectionRequired(credentials: all.map(\.safeView))
        }
        return try CredentialEnvironment.environment(agentType: agentType, credential: credential, root: paths.root)
    }
}
