import AgentIMCore
import AgentIMRuntime
import AsyncHTTPClient
import Foundation
import NIOCore

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
    static func remote(_ base: String, owns keys: [String], client: HTTPClient) -> Probe {
        { @Sendable in
            do {
                let response = try await client.execute(HTTPClientRequest(url: base + "/internal/health"), timeout: .seconds(3))
                let body = try await response.body.collect(upTo: 64 * 1024)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(buffer: body))
                var checks = report.checks
                for key in keys where checks[key] == nil { checks[key] = false }
                return checks
            } catch {
                return Dictionary(uniqueKeysWithValues: keys.map { ($0, false) })
            }
        }
    }
}
