import Foundation

/// The questions the credential manager asks (§16.2, §16.3); the terminal answers them in the
/// CLI, a script answers them in tests.
public protocol CredentialPrompter: Sendable {
    func say(_ text: String)
    /// nil = end of input (the manager then stops).
    func ask(_ question: String) -> String?
    func askSecret(_ question: String) -> String?
}

public struct TerminalCredentialPrompter: CredentialPrompter {
    public init() {}
    public func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    public func ask(_ question: String) -> String? { Prompting.line(question) }
    public func askSecret(_ question: String) -> String? { try? Prompting.password(question) }
}

/// Masks an API key for listing: first 3 + `••••` + last 4, or `••••` when 8 characters or fewer.
public func maskAPIKey(_ key: String) -> String {
    key.count <= 8 ? "••••" : String(key.prefix(3)) + "••••" + String(key.suffix(4))
}

/// The CLI's selection (§16.3), the interactive manager of `agentim <type> token` (§16.2) and
/// interactive add (API key or subscription login, §16.6).
public struct CredentialManager: Sendable {
    public let store: CredentialStore
    public let prompter: any CredentialPrompter
    public let root: URL
    /// Runs the subscription login of §16.6; replaceable in tests.
    public var login: @Sendable (_ agentType: String) throws -> String

    public init(store: CredentialStore, prompter: any CredentialPrompter = TerminalCredentialPrompter(), root: URL = AgentIMPaths().root,
                login: @escaping @Sendable (_ agentType: String) throws -> String = { try SubscriptionLogin.run(agentType: $0) }) {
        self.store = store
        self.prompter = prompter
        self.root = root
        self.login = login
    }

    var commandName: String { store.agentType == "claude-code" ? "claude" : store.agentType }

    /// `aim <type>` (§16.3): `-c` → find or fail with a hint; else 0 → interactive add, 1 → it,
    /// several → the default, else a numbered choice.
    public func select(query: String?) throws -> AgentCredential {
        if let query, !query.isEmpty {
            guard let found = store.find(query) else {
                throw CLIError("Credential \"\(query)\" not found. Manage credentials with `agentim \(commandName) token`.")
            }
            return try repaired(found)
        }
        let all = store.list()
        if all.isEmpty {
            prompter.say("No credentials configured for \(store.agentType). Let's add one.")
            guard let added = try interactiveAdd() else { throw CLIError("No credential configured. Run `agentim \(commandName) token`.") }
            return added
        }
        if all.count == 1 { return try repaired(all[0]) }
        if let preferred = all.first(where: \.isDefault) { return try repaired(preferred) }
        for (index, credential) in all.enumerated() { prompter.say("  \(index + 1). \(describe(credential))") }
        guard let answer = prompter.ask("Choose a credential [1-\(all.count)]"), let number = Int(answer), (1...all.count).contains(number) else {
            throw CLIError("No credential chosen")
        }
        return try repaired(all[number - 1])
    }

    /// A subscription credential without data is repaired by a login (§16.5 "Repair").
    func repaired(_ credential: AgentCredential) throws -> AgentCredential {
        guard credential.mode == .subscription, (credential.oauthData ?? "").isEmpty else { return credential }
        prompter.say("Credential \"\(credential.name)\" has no login data; starting the login.")
        let data = try login(store.agentType)
        try store.update(id: credential.id, oauthData: data)
        var fixed = credential
        fixed.oauthData = data
        return fixed
    }

    func describe(_ credential: AgentCredential) -> String {
        var text = "\(credential.isDefault ? "[*]" : "[ ]") \(credential.name) (\(credential.mode.rawValue))"
        if let key = credential.apiKey { text += " \(maskAPIKey(key))" }
        if let base = credential.baseUrl { text += " \(base)" }
        if let model = credential.model { text += " model \(model)" }
        return text
    }

    /// The `token` loop: list, then Add / Delete / Rename / Set default / Exit.
    public func run() throws {
        while true {
            let all = store.list()
            prompter.say(all.isEmpty ? "No credentials for \(store.agentType)." : "Credentials for \(store.agentType):")
            for (index, credential) in all.enumerated() { prompter.say("  \(index + 1). \(describe(credential))") }
            var actions = ["Add"]
            if !all.isEmpty { actions += ["Delete", "Rename"] }
            if all.count >= 2 { actions.append("Set default") }
            actions.append("Exit")
            for (index, action) in actions.enumerated() { prompter.say("  \(index + 1)) \(action)") }
            guard let answer = prompter.ask("Action [1-\(actions.count)]") else { return }
            let action = Int(answer).flatMap { (1...actions.count).contains($0) ? actions[$0 - 1] : nil }
                ?? actions.first { $0.lowercased() == answer.lowercased() }
            switch action {
            case "Add": _ = try interactiveAdd()
            case "Delete":
                guard let target = pick(all, "Delete which") else { continue }
                if prompter.ask("Delete \"\(target.name)\"? (y/N)")?.lowercased() == "y" {
                    try store.remove(id: target.id)
                    prompter.say("Deleted \(target.name)")
                }
            case "Rename":
                guard let target = pick(all, "Rename which") else { continue }
                guard let name = prompter.ask("New name"), !name.isEmpty else { continue }
                try store.update(id: target.id, name: name)
            case "Set default":
                guard let target = pick(all, "Default credential") else { continue }
                try store.setDefault(id: target.id)
            case "Exit": return
            default: prompter.say("Unknown action")
            }
        }
    }

    func pick(_ all: [AgentCredential], _ question: String) -> AgentCredential? {
        guard let answer = prompter.ask("\(question) [1-\(all.count)]"), let number = Int(answer), (1...all.count).contains(number) else { return nil }
        return all[number - 1]
    }

    /// API key (masked, required; optional base URL and model; name required) or subscription.
    public func interactiveAdd() throws -> AgentCredential? {
        prompter.say("  1) API key\n  2) Subscription (log in with the agent's CLI)")
        guard let kind = prompter.ask("Credential type [1-2]") else { return nil }
        if kind == "2" || kind.lowercased().hasPrefix("s") {
            let data = try login(store.agentType)
            guard let name = askName() else { return nil }
            return try store.add(name: name, mode: .subscription, oauthData: data)
        }
        guard let key = prompter.askSecret("API key"), !key.isEmpty else {
            prompter.say("An API key is required")
            return nil
        }
        let base = prompter.ask("Base URL (optional)") ?? ""
        if !base.isEmpty, URL(string: base)?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true {
            prompter.say("Base URL must start with http:// or https://")
            return nil
        }
        let model = prompter.ask("Model (optional)") ?? ""
        guard let name = askName() else { return nil }
        return try store.add(name: name, mode: .api, apiKey: key, baseUrl: base, model: model)
    }

    func askName() -> String? {
        guard let name = prompter.ask("Name"), !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            prompter.say("A name is required")
            return nil
        }
        return name.trimmingCharacters(in: .whitespaces)
    }
}
