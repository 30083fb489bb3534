import Foundation

/// Credential → adapter environment (§16.4) and the isolated homes of subscription
/// credentials (§5.5, §16.5).
public enum CredentialEnvironment {
    public struct MissingOAuthData: Error, CustomStringConvertible {
        public let description: String
    }

    /// The auth file an agent CLI keeps inside its home (§5.5).
    public static func authFileRelativePath(agentType: String) -> String? {
        switch agentType {
        case "codex": return ".codex/auth.json"
        case "claude-code": return ".claude/.credentials.json"
        case "gemini": return ".gemini/oauth_creds.json"
        default: return nil
        }
    }

    /// `<root>/subscription-homes/<type>-<credentialId>/`, with the auth file written (0600).
    @discardableResult
    public static func prepareSubscriptionHome(agentType: String, credentialId: String, oauthData: String, root: URL) throws -> URL {
        guard credentialId.range(of: #"^[A-Za-z0-9_-]{1,64}$"#, options: .regularExpression) != nil else {
            throw CLIError("Invalid credential id")
        }
        let homes = root.appendingPathComponent("subscription-homes", isDirectory: true)
        let home = homes.appendingPathComponent("\(agentType)-\(credentialId)", isDirectory: true)
        try AgentIMPaths.makePrivateDirectory(home)
        if let relative = authFileRelativePath(agentType: agentType) {
            let file = home.appendingPathComponent(relative)
            try AgentIMPaths.makePrivateDirectory(file.deletingLastPathComponent())
            try AgentIMPaths.writePrivate(Data(oauthData.utf8), to: file)
        }
        return home
    }

    /// Reads the agent's current auth data from a home (sync-back, §16.5); nil when absent.
    public static func captureAuthData(agentType: String, home: URL) -> String? {
        guard let relative = authFileRelativePath(agentType: agentType),
              let data = try? Data(contentsOf: home.appendingPathComponent(relative)), !data.isEmpty else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The variables an adapter gets for a credential (§16.4). A subscription credential without
    /// OAuth data is refused, so the agent can never silently fall back to the user's own login.
    public static func environment(agentType: String, credential: AgentCredential, root: URL) throws -> [String: String] {
        var env: [String: String] = [:]
        if credential.mode == .subscription {
            guard let oauth = credential.oauthData, !oauth.isEmpty else {
                throw MissingOAuthData(description: "Subscription credential \"\(credential.name)\" has no OAuth data. Log in again with `agentim \(agentType == "claude-code" ? "claude" : agentType) token`.")
            }
            switch agentType {
            case "claude-code", "codex":
                env["HOME"] = try prepareSubscriptionHome(agentType: agentType, credentialId: credential.id, oauthData: oauth, root: root).path
            case "gemini":
                env["GOOGLE_GENAI_USE_GCA"] = "true"
                env["GEMINI_CLI_HOME"] = try prepareSubscriptionHome(agentType: agentType, credentialId: credential.id, oauthData: oauth, root: root).path
            default:
                break
            }
        }
        let key = credential.apiKey.flatMap { $0.isEmpty ? nil : $0 }
        let base = credential.baseUrl.flatMap { $0.isEmpty ? nil : $0 }
        let model = credential.model.flatMap { $0.isEmpty ? nil : $0 }
        switch agentType {
        case "claude-code":
            env["ANTHROPIC_API_KEY"] = key
            env["ANTHROPIC_BASE_URL"] = base
            env["ANTHROPIC_MODEL"] = model
        case "codex":
            if credential.mode == .api, let key {
                env["OPENAI_API_KEY"] = key
                env["CODEX_API_KEY"] = key
            }
            env["OPENAI_BASE_URL"] = base
            env["CODEX_MODEL"] = model
        case "gemini":
            env["GEMINI_API_KEY"] = key
            env["GEMINI_BASE_URL"] = base
            env["GEMINI_MODEL"] = model
        default:
            return [:]
        }
        return env
    }
}
