import Foundation

/// Where `~/.agentim` lives (§5.1). `AGENTIM_HOME` names the `.agentim` folder itself
/// (a test seam); otherwise `$HOME/.agentim`.
public struct AgentIMPaths: Sendable {
    public let root: URL
    public let home: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        self.home = home
        if let explicit = environment["AGENTIM_HOME"], !explicit.isEmpty {
            root = URL(fileURLWithPath: explicit, isDirectory: true)
        } else {
            root = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".agentim", isDirectory: true)
        }
        daemonsOverride = environment["AGENTIM_DAEMONS_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
    }

    private let daemonsOverride: URL?

    public var config: URL { root.appendingPathComponent("config.json") }
    public var configTmp: URL { root.appendingPathComponent("config.json.tmp") }
    public var configLock: URL { root.appendingPathComponent("config.json.lock") }
    public var authRevoked: URL { root.appendingPathComponent("auth-revoked") }
    public var daemons: URL { daemonsOverride ?? root.appendingPathComponent("daemons", isDirectory: true) }
    public var logs: URL { root.appendingPathComponent("logs", isDirectory: true) }
    public var adapters: URL { root.appendingPathComponent("adapters.json") }

    /// Creates a directory (and parents) with mode 0700.
    public static func makePrivateDirectory(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(url.path, 0o700)
    }

    /// Writes data with mode 0600 (the mode is set before any byte is written).
    public static func writePrivate(_ data: Data, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw CLIError("Cannot write \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; throw CLIError("Cannot write \(url.path): \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }
}

/// An error whose text is meant for the user.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ text: String) { description = text }
}
