import AgentIMBus
import AgentIMCore
import AgentIMRedis

/// What every process's metrics endpoint brings up to date before it renders: the process
/// gauges, its database pool's connections, and the backlog of the consumer groups this
/// process's role reads and of its followers (from Redis).
public enum RuntimeMetrics {
    /// The consumer groups each process role runs (`CommandWorker`s): stream and group.
    static func groups(of role: String) -> [(stream: String, group: String)] {
        let all: [String: [(String, String)]] = [
            "auth": [(BusStream.auditCommands, BusGroup.auth)],
            "rooms": [(BusStream.roomsCommands, BusGroup.rooms), (BusStream.events, BusGroup.push)],
            "router": [(BusStream.routerCommands, BusGroup.router)],
        ]
        if role == "server" { return all.values.flatMap { $0 } }
        return all[role] ?? []
    }

    public static func refresh(_ runtime: Runtime) async {
        ProcessGauges.shared.refresh()
        if let database = runtime.database, let usage = await database.poolUsage() {
            PoolGauges.shared.set(open: usage.open, inUse: usage.inUse, maximum: database.poolSize)
        }
        guard let redis = runtime.redis else { return }
        let wanted = groups(of: runtime.config.processRole)
        for stream in Set(wanted.map(\.stream)) {
            guard let reply = try? await redis.send("XINFO", "GROUPS", stream), let groups = reply.array else { continue }
            for group in groups {
                guard let fields = group.array else { continue }
                var info: [String: RedisValue] = [:]
                for index in stride(from: 0, to: fields.count - 1, by: 2) {
                    if let name = fields[index].string { info[name] = fields[index + 1] }
                }
                guard let name = info["name"]?.string, wanted.contains(where: { $0.stream == stream && $0.group == name }) else { continue }
                BusGauges.shared.set(stream: stream, group: name, pending: info["pending"]?.int ?? 0, lag: info["lag"]?.int ?? 0)
            }
        }
        await refreshFollowers(redis)
    }

    /// `agentim_bus_follower_lag_messages` of every stream this process follows.
    public static func refreshFollowers(_ redis: RedisClient) async {
        for (stream, position) in FollowerPositions.shared.slowest() {
            // The entries after the follower's position, counted up to a cap: a scrape must stay
            // cheap however far behind a follower is.
            guard let reply = try? await redis.send("XRANGE", stream, "(" + position, "+", "COUNT", String(followerLagCap)),
                  let entries = reply.array else { continue }
            BusGauges.shared.setFollower(stream: stream, lag: entries.count)
        }
    }

    /// The highest follower lag reported (the gauge saturates there).
    static let followerLagCap = 1_000

    /// The Prometheus text of this process with everything brought up to date.
    public static func exposition(_ runtime: Runtime) async -> String {
        await refresh(runtime)
        return Telemetry.exposition()
    }
}
