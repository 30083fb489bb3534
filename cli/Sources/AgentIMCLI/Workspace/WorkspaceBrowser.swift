import Foundation

/// Answers `server:request_workspace` (§19.3) inside one working directory.
public enum WorkspaceBrowser {
    static let fileLimit = 500 * 1024
    static let maxEntries = 1000

    static func error(_ message: String) -> JSON { .object(["kind": .string("error"), "message": .string(message)]) }

    public static func answer(_ request: WorkspaceRequest, root: String) async -> JSON {
        switch request.kind {
        case "status":
            let data = await GitStatus.collect(in: root) ?? .object([
                "branch": .string("unknown"), "changedFiles": .array([]),
                "summary": .object(["filesChanged": .number(0), "additions": .number(0), "deletions": .number(0)]),
            ])
            return .object(["kind": .string("status"), "data": data])
        case "tree":
            let shown = request.path.flatMap { $0.isEmpty ? nil : $0 } ?? "."
            guard let target = PathGuard.resolve(shown, under: root) else { return error("Path traversal detected") }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: target) else { return error("Not a directory") }
            var entries: [(name: String, isDir: Bool, size: Int?)] = []
            for name in names where name != ".git" {
                var st = stat()
                guard lstat((target as NSString).appendingPathComponent(name), &st) == 0 else { continue }
                let isDir = (st.st_mode & S_IFMT) == S_IFDIR
                entries.append((name, isDir, isDir ? nil : Int(st.st_size)))
            }
            entries.sort { a, b in a.isDir != b.isDir ? a.isDir : a.name < b.name }
            let list: [JSON] = entries.prefix(maxEntries).map { e in
                var object: [String: JSON] = ["name": .string(e.name), "type": .string(e.isDir ? "directory" : "file")]
                if let size = e.size { object["size"] = .number(Double(size)) }
                return .object(object)
            }
            return .object(["kind": .string("tree"), "path": .string(shown), "entries": .array(list)])
        case "file":
            guard let path = request.path, !path.isEmpty else { return error("Not a file") }
            guard let target = PathGuard.resolve(path, under: root) else { return error("Path traversal detected") }
            let relative = String(target.dropFirst(PathGuard.realPath(root).count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if PathGuard.isSensitive(relative) || PathGuard.isSensitive(path) { return error("Access denied: sensitive file") }
            var st = stat()
            guard stat(target, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return error("Not a file") }
            let size = Int(st.st_size)
            guard let handle = FileHandle(forReadingAtPath: target) else { return error("Not a file") }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: fileLimit)) ?? Data()
            let content = data.prefix(8192).contains(0) ? "[Binary file]" : String(decoding: data, as: UTF8.self)
            return .object(["kind": .string("file"), "path": .string(path), "content": .string(content),
                            "size": .number(Double(size)), "truncated": .bool(size > fileLimit)])
        default:
            return error("Unknown request")
        }
    }
}
