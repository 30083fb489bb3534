import AgentIMCore
import Foundation

/// The health body of http-api §2: `{ok, timestamp, checks:{database, redis?, filesystem}}`.
public struct HealthReport: Codable, Sendable, Equatable {
    public var ok: Bool
    public var timestamp: String
    public var checks: [String: Bool]

    public init(checks: [String: Bool]) {
        self.checks = checks
        ok = !checks.isEmpty && checks.values.allSatisfy { $0 }
        timestamp = Timestamp.now()
    }

    /// Combines reports of several processes: a check is true only where every reporter says so.
    public static func combine(_ reports: [[String: Bool]]) -> HealthReport {
        var merged: [String: Bool] = [:]
        for report in reports {
            for (key, value) in report { merged[key] = (merged[key] ?? true) && value }
        }
        return HealthReport(checks: merged)
    }
}

extension Runtime {
    /// This process's own checks: database (when it has one) and redis (when configured).
    public func healthChecks() async -> [String: Bool] {
        var checks: [String: Bool] = [:]
        if let database { checks["database"] = await database.isReachable() }
        if let redis {
            checks["redis"] = (try? await redis.send("PING"))?.string == "PONG"
        }
        return checks
    }
}

/// Whether `path` is a directory this process can create and write files in.
public func isWritableDirectory(_ path: String) -> Bool {
    let manager = FileManager.default
    do {
        try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        return false
    }
    let probe = (path as NSString).appendingPathComponent(".agentim-write-check-\(Nanoid.make(length: 8))")
    guard manager.createFile(atPath: probe, contents: Data()) else { return false }
    try? manager.removeItem(atPath: probe)
    return true
}
