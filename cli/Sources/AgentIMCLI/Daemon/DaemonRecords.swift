import Foundation

/// `~/.agentim/daemons/<name>.json` (agent-cli.md §5.6, §17).
public struct DaemonRecord: Codable, Sendable, Equatable {
    public var pid: Int32
    public var name: String
    public var type: String
    public var workDir: String
    public var startedAt: String
    public var gatewayId: String
    public var agentId: String?
    public init(pid: Int32, name: String, type: String, workDir: String, startedAt: String = ISO8601DateFormatter().string(from: Date()), gatewayId: String, agentId: String? = nil) {
        self.pid = pid; self.name = name; self.type = type; self.workDir = workDir; self.startedAt = startedAt; self.gatewayId = gatewayId; self.agentId = agentId
    }
}

public struct DaemonStore: Sendable {
    public let directory: URL

    public init(paths: AgentIMPaths) { directory = paths.daemons }
    public init(directory: URL) { self.directory = directory }

    /// Daemon names become file names: `[A-Za-z0-9._-]`, no leading dot, ≤ 100 (§25 Q13).
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 100, !name.hasPrefix(".") else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-").contains($0) }
    }

    func recordURL(_ name: String) -> URL { directory.appendingPathComponent("\(name).json") }
    func statusURL(_ name: String) -> URL { directory.appendingPathComponent("\(name).status.json") }

    public func read(_ name: String) -> DaemonRecord? {
        guard Self.isValidName(name), let data = try? Data(contentsOf: recordURL(name)) else { return nil }
        return try? JSONDecoder().decode(DaemonRecord.self, from: data)
    }

    static func encode(_ record: DaemonRecord) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(record)) ?? Data()
    }

    public func write(_ record: DaemonRecord) throws {
        guard Self.isValidName(record.name) else { throw CLIError("Invalid daemon name: \(record.name)") }
        try AgentIMPaths.makePrivateDirectory(directory)
        try AgentIMPaths.writePrivate(Self.encode(record), to: recordURL(record.name))
    }

    /// Exclusive create: false when the name is already reserved.
    public func reserve(_ record: DaemonRecord) throws -> Bool {
        guard Self.isValidName(record.name) else { throw CLIError("Invalid daemon name: \(record.name)") }
        try AgentIMPaths.makePrivateDirectory(directory)
        let fd = open(recordURL(record.name).path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        let data = Self.encode(record)
        _ = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return true
    }

    public func remove(_ name: String) {
        guard Self.isValidName(name) else { return }
        unlink(recordURL(name).path)
        unlink(statusURL(name).path)
    }

    public func all() -> [DaemonRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".status.json") }.sorted()
            .compactMap { read(String($0.dropLast(5))) }
    }

    /// `list`: drops records of dead processes; returns the records with their liveness.
    public func listCleaning() -> [(record: DaemonRecord, alive: Bool)] {
        var out: [(DaemonRecord, Bool)] = []
        for record in all() {
            let alive = ProcessIdentity.isAlive(record.pid) && ProcessIdentity.isOurs(record.pid, strict: false)
            if alive { out.append((record, true)) } else { remove(record.name) }
        }
        return out
    }

    /// `stop` (§17.4): SIGTERM to a verified agentim process; the record goes in every case.
    @discardableResult
    public func stop(_ name: String) -> Bool {
        guard let record = read(name) else { return false }
        defer { remove(name) }
        guard record.pid > 0, ProcessIdentity.isAlive(record.pid), ProcessIdentity.isOurs(record.pid, strict: true) else { return false }
        return kill(record.pid, SIGTERM) == 0
    }
}

/// Is a pid ours to signal (§17.3)?
public enum ProcessIdentity {
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Linux: `/proc/<pid>/cmdline` has an argument ending in `/agentim`, or containing `agentim`
    /// with `daemon`, `gateway` or `--foreground`. Strict (before a signal): unverifiable → not ours.
    public static func isOurs(_ pid: Int32, strict: Bool) -> Bool {
        // Lenient (list): a live pid is shown as ours; only signalling needs proof.
        if !strict { return true }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return !strict }
        let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        if args.isEmpty { return !strict }
        if args.contains(where: { $0.hasSuffix("/agentim") || $0 == "agentim" }) { return true }
        let joined = args.joined(separator: " ")
        return joined.contains("agentim") && (joined.contains("daemon") || joined.contains("gateway") || joined.contains("--foreground"))
    }
}
