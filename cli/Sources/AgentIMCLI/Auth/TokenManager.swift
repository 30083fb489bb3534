import Foundation

/// Access-token refresh shared between processes through the config file (agent-cli.md §7.2).
public actor TokenManager {
    public private(set) var config: HubConfig
    let store: ConfigStore
    let api: HubAPI
    /// Base of the retry back-off (2000 ms in the spec; tests shorten it).
    let retryBaseMs: Int
    let maxAttempts = 7

    public init(config: HubConfig, store: ConfigStore, api: HubAPI? = nil, retryBaseMs: Int = 2000) {
        self.config = config
        self.store = store
        self.api = api ?? HubAPI(baseURL: config.serverBaseUrl)
        self.retryBaseMs = retryBaseMs
    }

    public var accessToken: String { config.token }

    public func adopt(_ newer: HubConfig) { config = newer }

    /// Another process refreshed if the refresh token on disk differs from ours.
    private func adoptFromDisk() -> Bool {
        guard let disk = store.load(), disk.refreshToken != config.refreshToken, disk.serverUrl == config.serverUrl else { return false }
        config = disk
        return true
    }

    /// Returns the new access token; throws "Token refresh aborted" when the task is cancelled,
    /// "Token refresh failed permanently: <status>" on a rejected token.
    public func refresh() async throws -> String {
        for attempt in 0..<maxAttempts {
            if attempt > 0 {
                if adoptFromDisk() { return config.token }
                let delay = retryBaseMs * (1 << (attempt - 1)) + Int.random(in: 0...min(1000, retryBaseMs))
                do { try await Task.sleep(for: .milliseconds(delay)) } catch { throw CLIError("Token refresh aborted") }
            }
            if Task.isCancelled { throw CLIError("Token refresh aborted") }
            let outcome = await api.refresh(refreshToken: config.refreshToken)
            if Task.isCancelled { throw CLIError("Token refresh aborted") }
            switch outcome {
            case .tokens(let pair):
                config.token = pair.accessToken
                config.refreshToken = pair.refreshToken
                try? store.save(config)
                return pair.accessToken
            case .rejected(let status):
                if adoptFromDisk() { return config.token }
                throw CLIError("Token refresh failed permanently: \(status)")
            case .retry:
                continue
            }
        }
        throw CLIError("Token refresh failed after \(maxAttempts) attempts")
    }
}
