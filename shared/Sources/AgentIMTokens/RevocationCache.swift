/// Per-user revocation times (ms): a token whose `iat × 1000` is earlier is dead.
/// Filled from the database (or the auth service) before a process reports ready, then
/// kept current by `ControlEvent.tokensRevoked` on the bus.
public actor RevocationCache {
    private var revokedAt: [String: Int64] = [:]
    public private(set) var isLoaded = false

    public init() {}

    public func record(userId: String, revokedAtMs: Int64) {
        if revokedAtMs > (revokedAt[userId] ?? 0) { revokedAt[userId] = revokedAtMs }
    }

    public func load(_ entries: [(userId: String, revokedAtMs: Int64)]) {
        for entry in entries { record(userId: entry.userId, revokedAtMs: entry.revokedAtMs) }
        isLoaded = true
    }

    public func markLoaded() { isLoaded = true }

    public func isRevoked(userId: String, issuedAtSeconds: Int64) -> Bool {
        guard let time = revokedAt[userId] else { return false }
        return issuedAtSeconds * 1000 < time
    }

    public func snapshot() -> [String: Int64] { revokedAt }
}
