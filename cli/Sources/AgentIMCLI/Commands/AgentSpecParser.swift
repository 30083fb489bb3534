import Foundation

/// `-a name:type[:workdir]` (agent-cli.md §3.3), split at the first two colons only.
public enum AgentSpecParser {
    public struct Spec: Equatable, Sendable {
        public var name: String
        public var type: String
        public var workingDirectory: String?
    }

    public static func parse(_ text: String) -> Spec? {
        guard let first = text.firstIndex(of: ":") else { return nil }
        let name = String(text[..<first])
        let rest = text[text.index(after: first)...]
        guard !name.isEmpty, !rest.isEmpty else { return nil }
        guard let second = rest.firstIndex(of: ":") else { return Spec(name: name, type: String(rest), workingDirectory: nil) }
        let offset = rest.distance(from: rest.startIndex, to: second)
        let after = rest.index(after: second)
        // `w:x:\repo`: a one-letter "type" before a colon and a slash is a drive letter.
        if offset == 1, after < rest.endIndex, rest[after] == "\\" || rest[after] == "/" {
            return Spec(name: name, type: String(rest), workingDirectory: nil)
        }
        let type = String(rest[..<second])
        guard !type.isEmpty else { return nil }
        let dir = String(rest[after...])
        return Spec(name: name, type: type, workingDirectory: dir.isEmpty ? nil : dir)
    }
}

/// Generated agent names `<host>_<dir>_<type>_<hex4>` (§3.2 step 3).
public enum AgentNameGenerator {
    public static func make(workDir: String?, type: String, hostname: String = SecretBox.hostname()) -> String {
        var host = hostname
        if host.hasSuffix(".local") { host.removeLast(6) }
        host = String(host.unicodeScalars.filter { CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-").contains($0) }.map(Character.init))
        var dir = "default"
        if let workDir, !workDir.isEmpty {
            let last = (workDir as NSString).lastPathComponent
            let cleaned = String(last.unicodeScalars.filter { CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-").contains($0) }.map(Character.init))
            if !cleaned.isEmpty { dir = cleaned }
        }
        let hex = String(format: "%04x", UInt16.random(in: 0...UInt16.max))
        return "\(host)_\(dir)_\(type)_\(hex)"
    }
}
