import Foundation
import Logging

/// One entry of `~/.agentim/adapters.json` (§15.4).
public struct CustomAdapterDefinition: Sendable, Equatable {
    public enum PromptVia: String, Sendable { case stdin, arg }
    public var name: String
    public var command: String
    public var args: [String]
    public var promptVia: PromptVia
    public var env: [String: String]
    public var description: String?
}

/// Reads and validates `adapters.json`. A file that breaks the schema yields no custom adapters
/// (logged); single entries that are hostile (bad name, a command refused by §15.2, a built-in
/// name) are dropped with a warning while the rest stay usable.
public enum CustomAdapters {
    public static let builtInNames: Set<String> = ["claude-code", "codex", "gemini", "generic"]
    static let logger = Logger(label: "agentim.adapters")

    /// `~/.agentim/adapters.json`; `AGENTIM_HOME` names the `.agentim` folder itself (the same
    /// rule as the config paths).
    public static func defaultFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let root = environment["AGENTIM_HOME"], !root.isEmpty {
            return URL(fileURLWithPath: root).appendingPathComponent("adapters.json")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".agentim/adapters.json")
    }

    public struct LoadResult: Sendable {
        public var adapters: [String: CustomAdapterDefinition] = [:]
        public var warnings: [String] = []
        public var error: String?
    }

    /// The 30 s cache of §15.4 (a missing file is cached too), keyed by path.
    private static let cache = CustomAdapterCache()

    public static func load(from url: URL = defaultFile(), useCache: Bool = true) -> LoadResult {
        if useCache, let hit = cache.get(url.path) { return hit }
        let result = parse(fileAt: url)
        for warning in result.warnings { logger.warning("\(warning)") }
        if let error = result.error { logger.error("\(error)") }
        cache.set(url.path, result)
        return result
    }

    public static func parse(fileAt url: URL) -> LoadResult {
        guard let data = try? Data(contentsOf: url) else { return LoadResult() }
        if data.count > 1_048_576 { return LoadResult(error: "Invalid \(url.path): file too large") }
        return parse(data: data, source: url.path)
    }

    public static func parse(data: Data, source: String) -> LoadResult {
        var result = LoadResult()
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            result.error = "Invalid \(source): expected a JSON object of adapter entries"
            return result
        }
        var parsed: [String: CustomAdapterDefinition] = [:]
        for (name, value) in root {
            guard let entry = value as? [String: Any] else {
                result.error = "Invalid \(source): entry \"\(name)\" must be an object"; return result
            }
            guard let command = entry["command"] as? String, !command.trimmingCharacters(in: .whitespaces).isEmpty else {
                result.error = "Invalid \(source): entry \"\(name)\" needs a non-empty \"command\" string"; return result
            }
            var args: [String] = []
            if let raw = entry["args"] {
                guard let list = raw as? [Any], let strings = list as? [String], strings.count == list.count else {
                    result.error = "Invalid \(source): \"args\" of \"\(name)\" must be an array of strings"; return result
                }
                args = strings
            }
            var promptVia = CustomAdapterDefinition.PromptVia.stdin
            if let raw = entry["promptVia"] {
                guard let text = raw as? String, let via = CustomAdapterDefinition.PromptVia(rawValue: text) else {
                    result.error = "Invalid \(source): \"promptVia\" of \"\(name)\" must be \"stdin\" or \"arg\""; return result
                }
                promptVia = via
            }
            var env: [String: String] = [:]
            if let raw = entry["env"] {
                guard let map = raw as? [String: Any] else {
                    result.error = "Invalid \(source): \"env\" of \"\(name)\" must map names to strings"; return result
                }
                for (key, value) in map {
                    guard let text = value as? String else {
                        result.error = "Invalid \(source): \"env\" of \"\(name)\" must map names to strings"; return result
                    }
                    env[key] = text
                }
            }
            var description: String?
            if let raw = entry["description"] {
                guard let text = raw as? String else {
                    result.error = "Invalid \(source): \"description\" of \"\(name)\" must be a string"; return result
                }
                description = text
            }
            parsed[name] = CustomAdapterDefinition(name: name, command: command, args: args, promptVia: promptVia, env: env, description: description)
        }
        for name in parsed.keys.sorted() {
            guard var definition = parsed[name] else { continue }
            if builtInNames.contains(name) {
                result.warnings.append("Custom adapter \"\(name)\" ignored: it is a built-in adapter name"); continue
            }
            if name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) == nil {
                result.warnings.append("Custom adapter \"\(name)\" ignored: names may use letters, digits, '.', '_' and '-'"); continue
            }
            do {
                definition.command = try CommandValidation.validate(definition.command)
            } catch {
                result.warnings.append("Custom adapter \"\(name)\" ignored: \(error)"); continue
            }
            for key in definition.env.keys where SafeEnvironment.neverPassable.contains(key) || key.contains("=") || key.isEmpty {
                result.warnings.append("Custom adapter \"\(name)\": env \(key) dropped (never passed to agents)")
                definition.env.removeValue(forKey: key)
            }
            result.adapters[name] = definition
        }
        return result
    }

    public static func invalidateCache() { cache.clear() }
}

final class CustomAdapterCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (at: ContinuousClock.Instant, result: CustomAdapters.LoadResult)] = [:]

    func get(_ key: String) -> CustomAdapters.LoadResult? {
        lock.withLock {
            guard let entry = entries[key], ContinuousClock.now - entry.at < .seconds(30) else { return nil }
            return entry.result
        }
    }
    func set(_ key: String, _ result: CustomAdapters.LoadResult) { lock.withLock { entries[key] = (ContinuousClock.now, result) } }
    func clear() { lock.withLock { entries = [:] } }
}
