import Foundation

/// Workspace path checks (agent-cli.md §19.3, §20.3, §27): targets are compared with the working
/// directory component by component after resolving symlinks, never by string prefix.
public enum PathGuard {
    /// The real path of `path` (symlinks resolved). For a path that does not exist, the deepest
    /// existing ancestor is resolved and the rest appended.
    public static func realPath(_ path: String) -> String {
        let standardized = (path as NSString).standardizingPath
        if let resolved = realpath(standardized, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let parent = (standardized as NSString).deletingLastPathComponent
        if parent == standardized || parent.isEmpty { return standardized }
        return (realPath(parent) as NSString).appendingPathComponent((standardized as NSString).lastPathComponent)
    }

    /// True when `child` is `root` or inside it, both taken as real paths.
    public static func contains(root: String, child: String) -> Bool {
        let r = components(realPath(root))
        let c = components(realPath(child))
        return c.count >= r.count && Array(c.prefix(r.count)) == r
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Resolves a user-supplied relative path under `root`; nil when it escapes.
    public static func resolve(_ relative: String, under root: String) -> String? {
        if relative.contains("\0") { return nil }
        let joined = relative.hasPrefix("/") ? relative : (root as NSString).appendingPathComponent(relative)
        let real = realPath(joined)
        return contains(root: root, child: real) ? real : nil
    }

    /// Files never served and whose diffs are never sent (§20.3).
    public static func isSensitive(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.contains(".env") || lower.contains("secret") || lower.contains("credential") || lower.contains("password") { return true }
        return lower.hasSuffix(".pem") || lower.hasSuffix(".key")
    }
}
