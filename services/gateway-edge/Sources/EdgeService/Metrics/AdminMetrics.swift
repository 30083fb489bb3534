import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `GET /api/admin/metrics` (http-api §2): the admin dashboard's snapshot of this edge.
/// Socket counts come from the edge's registries; message totals and request latencies from
/// the Prometheus exposition the edge already keeps, so the hot path records nothing twice.
struct AdminMetrics: Sendable {
    let metrics: EdgeMetrics
    let redisEnabled: Bool

    /// The caller from `EdgeIdentityMiddleware`; its current role through the lookup installed
    /// there (the auth service's). 403 is this route's own `Forbidden`, not `Admin access required`.
    func respond(_ context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        guard try await context.isAdmin(caller) else { throw APIError(403, "Forbidden") }
        return ok(await snapshot())
    }

    func snapshot() async -> Snapshot {
        let exposition = await metrics.exposition()
        let samples = PrometheusText.samples(exposition)
        let stats = await metrics.hub.clients.registry.stats
        let connections = Snapshot.Connections(
            clients: stats.clients, gateways: metrics.hub.gateways.count.value, onlineUsers: stats.users,
            connectedAgents: await metrics.hub.gateways.registry.agentCount)
        var messages: [String: Double] = [:]
        for sample in samples where sample.name == "agentim_messages_total" {
            messages[PrometheusText.key(sample.labels), default: 0] += sample.value
        }
        return Snapshot(
            connections: connections,
            process: .init(uptimeSeconds: metrics.uptimeSeconds, heapUsedBytes: EdgeMetrics.heapBytes(), rssBytes: EdgeMetrics.residentBytes()),
            infrastructure: .init(redisEnabled: redisEnabled),
            activity: .init(messagesTotal: messages, activeRooms: stats.rooms),
            performance: .init(
                agentResponse: Histogram.all(named: "agentim_agent_response_duration_seconds", in: samples),
                httpRequest: Histogram.all(named: "agentim_http_request_duration_seconds", in: samples)),
            timestamp: Timestamp.now())
    }

    struct Snapshot: Encodable, Sendable {
        struct Connections: Encodable, Sendable { var clients: Int; var gateways: Int; var onlineUsers: Int; var connectedAgents: Int }
        struct Process: Encodable, Sendable { var uptimeSeconds: Int64; var heapUsedBytes: Int; var rssBytes: Int }
        struct Infrastructure: Encodable, Sendable { var redisEnabled: Bool }
        struct Activity: Encodable, Sendable { var messagesTotal: [String: Double]; var activeRooms: Int }
        struct Performance: Encodable, Sendable { var agentResponse: [String: Histogram]; var httpRequest: [String: Histogram] }
        var connections: Connections
        var process: Process
        var infrastructure: Infrastructure
        var activity: Activity
        var performance: Performance
        var timestamp: String
    }

    /// One histogram in the dashboard's shape: per-bucket (not cumulative) counts, seconds.
    struct Histogram: Encodable, Sendable, Equatable {
        var buckets: [Double]
        var counts: [Int]
        var sum: Double
        var count: Int
        var avg: Double
        var p50: Double
        var p95: Double
        var p99: Double

        /// Every label set of the histogram `name`, keyed as `method="GET",path="/api/rooms"` (`_` without labels).
        static func all(named name: String, in samples: [PrometheusText.Sample]) -> [String: Histogram] {
            var cumulative: [String: [(le: Double, count: Double)]] = [:]
            var sums: [String: Double] = [:]
            var counts: [String: Double] = [:]
            for sample in samples {
                switch sample.name {
                case name + "_bucket":
                    guard let le = sample.labels.first(where: { $0.0 == "le" })?.1 else { continue }
                    let bound = le == "+Inf" ? Double.infinity : Double(le) ?? .infinity
                    cumulative[PrometheusText.key(sample.labels.filter { $0.0 != "le" }), default: []].append((bound, sample.value))
                case name + "_sum": sums[PrometheusText.key(sample.labels)] = sample.value
                case name + "_count": counts[PrometheusText.key(sample.labels)] = sample.value
                default: continue
                }
            }
            var result: [String: Histogram] = [:]
            for (key, rows) in cumulative {
                let sorted = rows.sorted { $0.le < $1.le }
                let finite = sorted.filter { $0.le.isFinite }
                var perBucket: [Int] = []
                var previous = 0.0
                for row in finite {
                    perBucket.append(Int(row.count - previous))
                    previous = row.count
                }
                let total = Int(counts[key] ?? sorted.last?.count ?? 0)
                let sum = sums[key] ?? 0
                func quantile(_ q: Double) -> Double {
                    guard total > 0 else { return 0 }
                    let target = q * Double(total)
                    // The upper bound of the first bucket that holds the q-th observation; beyond the
                    // last finite bound, that bound (the exposition says no more).
                    return finite.first(where: { $0.count >= target })?.le ?? finite.last?.le ?? 0
                }
                result[key] = Histogram(buckets: finite.map(\.le), counts: perBucket, sum: sum, count: total,
                                        avg: total > 0 ? sum / Double(total) : 0,
                                        p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99))
            }
            return result
        }
    }
}

/// Reads Prometheus text exposition (version 0.0.4) back into samples.
enum PrometheusText {
    struct Sample: Sendable {
        var name: String
        var labels: [(String, String)]
        var value: Double
    }

    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [], value: value) }
            let name = String(series[..<brace])
            let body = series[series.index(after: brace)..<(series.lastIndex(of: "}") ?? series.endIndex)]
            return Sample(name: name, labels: labels(body), value: value)
        }
    }

    /// `a="x",b="y"` (values may hold escaped quotes) into pairs.
    static func labels(_ body: Substring) -> [(String, String)] {
        var pairs: [(String, String)] = []
        var index = body.startIndex
        while index < body.endIndex {
            guard let equals = body[index...].firstIndex(of: "=") else { break }
            let name = body[index..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            var cursor = body.index(after: equals)
            guard cursor < body.endIndex, body[cursor] == "\"" else { break }
            cursor = body.index(after: cursor)
            var value = ""
            while cursor < body.endIndex, body[cursor] != "\"" {
                if body[cursor] == "\\", body.index(after: cursor) < body.endIndex {
                    cursor = body.index(after: cursor)
                    value.append(body[cursor] == "n" ? "\n" : body[cursor])
                } else {
                    value.append(body[cursor])
                }
                cursor = body.index(after: cursor)
            }
            pairs.append((name, value))
            index = cursor < body.endIndex ? body.index(after: cursor) : cursor
        }
        return pairs
    }

    static func key(_ labels: [(String, String)]) -> String {
        labels.isEmpty ? "_" : labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
    }
}
