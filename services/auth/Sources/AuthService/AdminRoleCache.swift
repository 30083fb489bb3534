/// Site roles read from the database for the admin check, kept 15 s per user
/// (data-config-security §3.6): a demotion takes effect within that time on every auth
/// process, and at once on the process that made it.
actor AdminRoleCache {
    static let lifetime: Duration = .seconds(15)
    static let capacity = 500

    private var entries: [String: (role: String?, expires: ContinuousClock.Instant)] = [:]

    func role(of userId: String, load: @Sendable () async throws -> String?) async throws -> String? {
        let now = ContinuousClock.now
        if let entry = entries[userId], entry.expires > now { return entry.role }
        let role = try await load()
        if entries.count >= Self.capacity {
            entries = entries.filter { $0.value.expires > now }
            // Still full of live entries: drop the ones expiring soonest.
            if entries.count >= Self.capacity {
                let keep = entries.sorted { $0.value.expires > $1.value.expires }.prefix(Self.capacity / 2)
                entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
        }
        entries[userId] = (role, now + Self.lifetime)
        return role
    }

    func forget(_ userId: String) {
        entries[userId] = nil
    }
}
