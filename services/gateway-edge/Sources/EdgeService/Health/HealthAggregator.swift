import AgentIMCore
import AgentIMRuntime

/// `/api/health` for the whole hub (http-api §2): every process's checks combined, a check
/// true only when every process reports it true, cached for 2 s.
actor HealthAggregator {
    typealias Probe = @Sendable () async -> [String: Bool]

    let probes: [Probe]
    private var cached: (at: ContinuousClock.Instant, report: HealthReport)?

    init(probes: [Probe]) { self.probes = probes }

    func report() async -> HealthReport {
        if let cached, ContinuousClock.now - cached.at < .seconds(2) { return cached.report }
        let results = await withTaskGroup(of: [String: Bool].self) { group in
            for probe in probes { group.addTask { await probe() } }
            var all: [[String: Bool]] = []
            for await result in group { all.append(result) }
            return all
        }
        let report = HealthReport.combine(results)
        cached = (ContinuousClock.now, report)
        return report
    }

    /// A service's `/internal/health`; when it cannot answer, every check it owns is false.
    static func remote(_ service: InternalService, owns keys: [String], calls: InternalClient) -> Probe {
        { @Sendable in
            guard var checks = try? await calls.call(InternalRoutes.health, on: service).checks else {
                return Dictionary(uniqueKeysWithValues: keys.map { ($0, false) })
            }
            for key in keys where checks[key] == nil { checks[key] = false }
            return checks
        }
    }
}
