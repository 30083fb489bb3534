import Foundation

/// Small lock-protected value for adapter state touched from several tasks.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
    var current: Value { withLock { $0 } }
}

enum AdapterText {
    /// 2-space-indented JSON with keys in a stable order, as tool_use chunks carry it.
    static func prettyJSON(_ object: Any) -> String {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return String(describing: object)
        }
        // Foundation indents with two spaces on Linux and Darwin alike; keep it as is.
        return String(decoding: data, as: UTF8.self)
    }

    /// `{name, id, input}` in that order (the order the original's JSON.stringify produces).
    static func toolUseJSON(name: String, id: String, input: Any) -> String {
        let inputText = prettyJSON(input).replacingOccurrences(of: "\n", with: "\n  ")
        return "{\n  \"name\": \(quote(name)),\n  \"id\": \(quote(id)),\n  \"input\": \(inputText)\n}"
    }

    static func quote(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]) else { return "\"\"" }
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }

    static func json(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func parseObject(_ line: String) -> [String: Any]? {
        guard let data = line.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// "15 minutes", "1.5 minutes" (absolute timeout message).
    static func minutes(_ ms: Int) -> String {
        let value = Double(ms) / 60_000
        if value == value.rounded() { return "\(Int(value))" }
        return String(format: "%.2f", value).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }
}

/// Per-room session ids persisted in the working directory (§12.7, §13.6): a JSON object
/// room key → id, pretty-printed. Nothing is persisted without a working directory.
final class RoomSessionFile: @unchecked Sendable {
    let url: URL?
    private let lock = NSLock()
    private var sessions: [String: String] = [:]

    init(workingDirectory: String, relativePath: String) {
        if workingDirectory.isEmpty {
            url = nil
        } else {
            url = URL(fileURLWithPath: workingDirectory).appendingPathComponent(relativePath)
        }
        if let url, let data = try? Data(contentsOf: url),
           let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            sessions = object.compactMapValues { $0 as? String }
        }
    }

    func get(_ room: String) -> String? { lock.withLock { sessions[room] } }

    func set(_ room: String, _ id: String?) {
        let snapshot: [String: String] = lock.withLock {
            sessions[room] = id
            return sessions
        }
        save(snapshot)
    }

    func removeAll() {
        lock.withLock { sessions = [:] }
        save([:])
    }

    private func save(_ snapshot: [String: String]) {
        guard let url else { return }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let data = try JSONSerialization.data(withJSONObject: snapshot, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: url)
        } catch {
            // Persistence is a convenience (§12.7); the in-memory id still serves this process.
        }
    }
}

/// Parses `on/true/1`, `off/false/0`; anything else toggles (§12.8 `plan`).
func parseToggle(_ args: String, current: Bool) -> Bool {
    switch args.trimmingCharacters(in: .whitespaces).lowercased() {
    case "on", "true", "1": return true
    case "off", "false", "0": return false
    default: return !current
    }
}

extension AdapterOptions {
    /// The process environment with the agent's own variables on top: where adapters read their
    /// tuning (`AGENTIM_*_BIN`, `*_MODEL`, timeouts).
    var tuningEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.merging(environment) { _, own in own }
    }
}

extension Dictionary where Key == String, Value == String {
    /// The value under `key` unless it is missing or empty.
    func nonEmpty(_ key: String) -> String? { self[key].flatMap { $0.isEmpty ? nil : $0 } }
}
