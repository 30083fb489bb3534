import Foundation

/// The hub login as held in memory, tokens in plaintext (§5.2).
public struct HubConfig: Sendable, Equatable {
    public var serverUrl: String
    public var serverBaseUrl: String
    public var token: String
    public var refreshToken: String
    public var gatewayId: String
    public init(serverUrl: String, serverBaseUrl: String, token: String, refreshToken: String, gatewayId: String) {
        self.serverUrl = serverUrl; self.serverBaseUrl = serverBaseUrl; self.token = token; self.refreshToken = refreshToken; self.gatewayId = gatewayId
    }
}

/// `~/.agentim/config.json`: v2 with encrypted tokens, atomic replace under a lock file.
public struct ConfigStore: Sendable {
    public let paths: AgentIMPaths
    let box: SecretBox

    public init(paths: AgentIMPaths) {
        self.paths = paths
        box = SecretBox(home: paths.home)
    }

    private struct Stored: Codable {
        var version: Int?
        var serverUrl: String
        var serverBaseUrl: String
        var token: String
        var refreshToken: String
        var gatewayId: String
    }

    /// nil when missing, unreadable, or a token does not decrypt ("not logged in").
    public func load() -> HubConfig? {
        guard let data = try? Data(contentsOf: paths.config), let stored = try? JSONDecoder().decode(Stored.self, from: data) else { return nil }
        if stored.version == nil {
            // Legacy plaintext form: use it and upgrade it in place.
            let config = HubConfig(serverUrl: stored.serverUrl, serverBaseUrl: stored.serverBaseUrl, token: stored.token, refreshToken: stored.refreshToken, gatewayId: stored.gatewayId)
            try? save(config)
            return config
        }
        guard let token = box.decrypt(stored.token), let refresh = box.decrypt(stored.refreshToken) else { return nil }
        return HubConfig(serverUrl: stored.serverUrl, serverBaseUrl: stored.serverBaseUrl, token: token, refreshToken: refresh, gatewayId: stored.gatewayId)
    }

    public func save(_ config: HubConfig) throws {
        try AgentIMPaths.makePrivateDirectory(paths.root)
        let stored = Stored(version: 2, serverUrl: config.serverUrl, serverBaseUrl: config.serverBaseUrl,
                            token: box.encrypt(config.token), refreshToken: box.encrypt(config.refreshToken), gatewayId: config.gatewayId)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(stored)
        try AgentIMPaths.writePrivate(data, to: paths.configTmp)
        let lock = paths.configLock
        if let attrs = try? FileManager.default.attributesOfItem(atPath: lock.path), let mtime = attrs[.modificationDate] as? Date,
           Date().timeIntervalSince(mtime) > 60 {
            unlink(lock.path)
        }
        let fd = open(lock.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            unlink(paths.configTmp.path)
            throw CLIError("Config file is locked by another process")
        }
        defer { close(fd); unlink(lock.path) }
        guard rename(paths.configTmp.path, paths.config.path) == 0 else {
            unlink(paths.configTmp.path)
            throw CLIError("Cannot save config: \(String(cString: strerror(errno)))")
        }
    }

    /// `logout`: deletes the config if present.
    @discardableResult
    public func delete() -> Bool { unlink(paths.config.path) == 0 }

    // MARK: auth-revoked marker (§5.3)

    public func writeRevokedMarker(serverUrl: String) {
        try? AgentIMPaths.makePrivateDirectory(paths.root)
        let text = JSON.text(["ts": JSON.number(Double(Int64(Date().timeIntervalSince1970 * 1000))), "serverUrl": .string(serverUrl)])
        try? AgentIMPaths.writePrivate(Data(text.utf8), to: paths.authRevoked)
    }

    public func removeRevokedMarker() { unlink(paths.authRevoked.path) }

    /// Present only when younger than 24 h; an older marker is deleted.
    public func hasRevokedMarker() -> Bool {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: paths.authRevoked.path),
              let mtime = attrs[.modificationDate] as? Date else { return false }
        if Date().timeIntervalSince(mtime) >= 86_400 { removeRevokedMarker(); return false }
        return true
    }
}

/// URL helpers of §5.2 and §24.
public enum HubURL {
    /// Validates and cleans a server URL typed at `login`: must parse, scheme starting with `http`; trailing slashes stripped.
    public static func clean(_ input: String) -> String? {
        var text = input.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme.hasPrefix("http"),
              ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else { return nil }
        return text
    }

    public static func gatewayURL(fromBase base: String) -> String {
        var ws = base
        if ws.lowercased().hasPrefix("https:") { ws = "wss:" + ws.dropFirst(6) }
        else if ws.lowercased().hasPrefix("http:") { ws = "ws:" + ws.dropFirst(5) }
        return ws + "/ws/gateway"
    }

    public static func httpURL(fromGateway ws: String) -> String {
        var http = ws
        if http.lowercased().hasPrefix("wss:") { http = "https:" + http.dropFirst(4) }
        else if http.lowercased().hasPrefix("ws:") { http = "http:" + http.dropFirst(3) }
        for suffix in ["/ws/gateway/", "/ws/gateway"] where http.hasSuffix(suffix) {
            http.removeLast(suffix.count)
            break
        }
        return http
    }
}
