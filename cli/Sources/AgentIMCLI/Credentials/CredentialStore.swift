import Foundation

public enum CredentialMode: String, Sendable, Codable { case api, subscription }

/// A credential with its secrets decrypted (§16.1). Never logged or sent as is.
public struct AgentCredential: Sendable, Equatable {
    public var id: String
    public var name: String
    public var mode: CredentialMode
    public var apiKey: String?
    public var oauthData: String?
    public var baseUrl: String?
    public var model: String?
    public var isDefault: Bool
    public var createdAt: String

    /// The network-safe view (§16.1): no secrets, only whether they exist.
    public var safeView: CredentialSafeView {
        CredentialSafeView(id: id, name: name, mode: mode, hasApiKey: !(apiKey ?? "").isEmpty, hasOAuthData: !(oauthData ?? "").isEmpty,
                           baseUrl: baseUrl, model: model, isDefault: isDefault, createdAt: createdAt)
    }
}

public struct CredentialSafeView: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var mode: CredentialMode
    public var hasApiKey: Bool
    public var hasOAuthData: Bool
    public var baseUrl: String?
    public var model: String?
    public var isDefault: Bool
    public var createdAt: String
}

/// The on-disk entry of `agents/<agentType>.json` version 2 (§5.4); secrets are ciphertext.
struct StoredCredential: Codable, Equatable {
    var id: String
    var name: String
    var mode: CredentialMode
    var apiKey: String?
    var oauthData: String?
    var baseUrl: String?
    var model: String?
    var isDefault: Bool?
    var createdAt: String
}

struct CredentialFile: Codable {
    var version: Int
    var credentials: [StoredCredential]
}

/// Per-agent-type credential store (§5.4, §16.2): `<root>/agents/<agentType>.json`, mode 0600 in a
/// 0700 directory, `apiKey`/`oauthData` encrypted with the machine key (§6, `SecretBox`).
public final class CredentialStore: @unchecked Sendable {
    public let agentType: String
    public let fileURL: URL
    let box: SecretBox
    private let lock = NSLock()

    public struct InvalidAgentType: Error, CustomStringConvertible { public let description: String }

    /// `agentType` becomes a file name, so only `[a-z0-9-]` is accepted.
    public init(agentType: String, root: URL, box: SecretBox) throws {
        guard agentType.range(of: #"^[a-z0-9][a-z0-9-]{0,31}$"#, options: .regularExpression) != nil else {
            throw InvalidAgentType(description: "Invalid agent type: \(agentType)")
        }
        self.agentType = agentType
        self.fileURL = root.appendingPathComponent("agents", isDirectory: true).appendingPathComponent("\(agentType).json")
        self.box = box
    }

    public convenience init(agentType: String, paths: AgentIMPaths = AgentIMPaths()) throws {
        try self.init(agentType: agentType, root: paths.root, box: SecretBox(home: paths.home))
    }

    // MARK: file

    func readFile() -> [StoredCredential] {
        guard let data = try? Data(contentsOf: fileURL), !data.isEmpty else { return [] }
        if let file = try? JSONDecoder().decode(CredentialFile.self, from: data) { return file.credentials }
        // Legacy v1: {mode, apiKey?, baseUrl?, model?} → one entry named "default" (§5.4).
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], object["version"] == nil,
              let modeText = object["mode"] as? String, let mode = CredentialMode(rawValue: modeText) else { return [] }
        let migrated = StoredCredential(id: NanoID.make(), name: "default", mode: mode, apiKey: object["apiKey"] as? String,
                                        oauthData: nil, baseUrl: object["baseUrl"] as? String, model: object["model"] as? String,
                                        isDefault: true, createdAt: Self.now())
        try? writeFile([migrated])
        return [migrated]
    }

    func writeFile(_ entries: [StoredCredential]) throws {
        let dir = fileURL.deletingLastPathComponent()
        try AgentIMPaths.makePrivateDirectory(dir.deletingLastPathComponent())
        try AgentIMPaths.makePrivateDirectory(dir)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(CredentialFile(version: 2, credentials: entries))
        try AgentIMPaths.writePrivate(data, to: fileURL)
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    /// nil when a stored secret does not decrypt (the entry is then skipped, §5.4).
    func decrypt(_ entry: StoredCredential) -> AgentCredential? {
        var apiKey: String?
        var oauthData: String?
        if let stored = entry.apiKey, !stored.isEmpty {
            guard let plain = box.decrypt(stored) else { return nil }
            apiKey = plain
        }
        if let stored = entry.oauthData, !stored.isEmpty {
            guard let plain = box.decrypt(stored) else { return nil }
            oauthData = plain
        }
        return AgentCredential(id: entry.id, name: entry.name, mode: entry.mode, apiKey: apiKey, oauthData: oauthData,
                               baseUrl: entry.baseUrl, model: entry.model, isDefault: entry.isDefault ?? false, createdAt: entry.createdAt)
    }

    // MARK: operations (§16.2)

    public func list() -> [AgentCredential] {
        lock.withLock { readFile().compactMap(decrypt) }
    }

    public func safeViews() -> [CredentialSafeView] { list().map(\.safeView) }

    @discardableResult
    public func add(name: String, mode: CredentialMode, apiKey: String? = nil, oauthData: String? = nil,
                    baseUrl: String? = nil, model: String? = nil, isDefault: Bool = false) throws -> AgentCredential {
        try lock.withLock {
            var entries = readFile()
            let makeDefault = isDefault || entries.isEmpty
            if makeDefault { for index in entries.indices { entries[index].isDefault = nil } }
            let entry = StoredCredential(id: NanoID.make(), name: name, mode: mode,
                                         apiKey: apiKey.flatMap { $0.isEmpty ? nil : box.encrypt($0) },
                                         oauthData: oauthData.flatMap { $0.isEmpty ? nil : box.encrypt($0) },
                                         baseUrl: baseUrl.flatMap { $0.isEmpty ? nil : $0 }, model: model.flatMap { $0.isEmpty ? nil : $0 },
                                         isDefault: makeDefault ? true : nil, createdAt: Self.now())
            entries.append(entry)
            try writeFile(entries)
            return AgentCredential(id: entry.id, name: name, mode: mode, apiKey: apiKey.flatMap { $0.isEmpty ? nil : $0 },
                                   oauthData: oauthData.flatMap { $0.isEmpty ? nil : $0 }, baseUrl: entry.baseUrl, model: entry.model,
                                   isDefault: makeDefault, createdAt: entry.createdAt)
        }
    }

    /// nil fields stay; an empty `oauthData`, `baseUrl` or `model` clears the field.
    @discardableResult
    public func update(id: String, name: String? = nil, apiKey: String? = nil, oauthData: String? = nil,
                       baseUrl: String? = nil, model: String? = nil) throws -> Bool {
        try lock.withLock {
            var entries = readFile()
            guard let index = entries.firstIndex(where: { $0.id == id }) else { return false }
            if let name, !name.isEmpty { entries[index].name = name }
            if let apiKey { entries[index].apiKey = apiKey.isEmpty ? nil : box.encrypt(apiKey) }
            if let oauthData { entries[index].oauthData = oauthData.isEmpty ? nil : box.encrypt(oauthData) }
            if let baseUrl { entries[index].baseUrl = baseUrl.isEmpty ? nil : baseUrl }
            if let model { entries[index].model = model.isEmpty ? nil : model }
            try writeFile(entries)
            return true
        }
    }

    @discardableResult
    public func remove(id: String) throws -> Bool {
        try lock.withLock {
            var entries = readFile()
            guard let index = entries.firstIndex(where: { $0.id == id }) else { return false }
            let wasDefault = entries[index].isDefault == true
            entries.remove(at: index)
            if wasDefault, !entries.isEmpty { entries[0].isDefault = true }
            try writeFile(entries)
            return true
        }
    }

    @discardableResult
    public func setDefault(id: String) throws -> Bool {
        try lock.withLock {
            var entries = readFile()
            guard entries.contains(where: { $0.id == id }) else { return false }
            for index in entries.indices { entries[index].isDefault = entries[index].id == id ? true : nil }
            try writeFile(entries)
            return true
        }
    }

    /// CLI `-c`: exact name (case-insensitive), else the unique credential whose id starts with it.
    public func find(_ query: String) -> AgentCredential? {
        let all = list()
        let lowered = query.lowercased()
        if let byName = all.first(where: { $0.name.lowercased() == lowered }) { return byName }
        let byPrefix = all.filter { $0.id.hasPrefix(query) }
        return !query.isEmpty && byPrefix.count == 1 ? byPrefix[0] : nil
    }

    /// Hub spawn: an id → that one only; else the only one, else the default, else none.
    public func resolve(id: String?) -> AgentCredential? {
        let all = list()
        if let id, !id.isEmpty { return all.first { $0.id == id } }
        if all.count == 1 { return all[0] }
        return all.first { $0.isDefault }
    }
}
