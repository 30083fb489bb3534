import Foundation

/// The workspace status of §19.1, built from git.
public enum GitStatus {
    static let diffLimit = 500 * 1024

    /// nil when the directory is not a git work tree or nothing changed.
    public static func collect(in directory: String) async -> JSON? {
        guard (try? await GitRunner.run(["rev-parse", "--is-inside-work-tree"], in: directory)) != nil else { return nil }
        async let branchText = try? GitRunner.run(["rev-parse", "--abbrev-ref", "HEAD"], in: directory)
        async let numstatText = try? GitRunner.run(["diff", "--numstat", "--no-renames", "HEAD"], in: directory)
        async let diffText = try? GitRunner.run(["diff", "--no-renames", "HEAD"], in: directory)
        async let logText = try? GitRunner.run(["log", "--oneline", "-3"], in: directory)
        async let statusText = try? GitRunner.run(["status", "--porcelain", "--no-renames"], in: directory)
        let (branch, numstat, diff, log, status) = await (branchText, numstatText, diffText, logText, statusText)

        var entries: [(code: String, path: String)] = []
        for line in (status ?? "").split(separator: "\n", omittingEmptySubsequences: true) {
            let text = String(line)
            guard text.count > 3 else { continue }
            let code = String(text.prefix(2)).trimmingCharacters(in: .whitespaces)
            let path = String(text.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            if !path.isEmpty { entries.append((code, path)) }
        }
        guard !entries.isEmpty else { return nil }
        let statusPaths = Set(entries.map(\.path))

        var totalAdd = 0, totalDel = 0
        var perFile: [String: (Int, Int)] = [:]
        for line in (numstat ?? "").split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard fields.count == 3, let add = Int(fields[0]), let del = Int(fields[1]) else { continue }
            totalAdd += add; totalDel += del
            if statusPaths.contains(fields[2]) { perFile[fields[2]] = (add, del) }
        }

        var diffs: [String: String] = [:]
        var diffBody = diff ?? ""
        if diffBody.utf8.count > diffLimit { diffBody = String(decoding: Array(diffBody.utf8.prefix(diffLimit)), as: UTF8.self) }
        var currentPaths: [String] = []
        var currentLines: [Substring] = []
        func flush() {
            guard !currentPaths.isEmpty else { return }
            let text = currentLines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            for p in currentPaths { diffs[p] = text }
        }
        for line in diffBody.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("diff --git a/"), let range = line.range(of: " b/") {
                flush()
                let a = String(line[line.index(line.startIndex, offsetBy: 13)..<range.lowerBound])
                let b = String(line[range.upperBound...])
                currentPaths = [a, b]
                currentLines = [line]
            } else if !currentPaths.isEmpty {
                currentLines.append(line)
            }
        }
        flush()

        let files: [JSON] = entries.map { entry in
            var object: [String: JSON] = ["path": .string(entry.path)]
            let kind = entry.code == "??" || entry.code.hasPrefix("A") ? "added" : entry.code.hasPrefix("D") ? "deleted" : "modified"
            object["status"] = .string(kind)
            if let (add, del) = perFile[entry.path] { object["additions"] = .number(Double(add)); object["deletions"] = .number(Double(del)) }
            if !PathGuard.isSensitive(entry.path), let d = diffs[entry.path], !d.isEmpty { object["diff"] = .string(d) }
            return .object(object)
        }
        var result: [String: JSON] = [
            "branch": .string((branch ?? "").trimmingCharacters(in: .whitespacesAndNewlines)),
            "changedFiles": .array(files),
            "summary": .object(["filesChanged": .number(Double(files.count)), "additions": .number(Double(totalAdd)), "deletions": .number(Double(totalDel))]),
        ]
        let commits: [JSON] = (log ?? "").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let hash = parts.first else { return nil }
            return .object(["hash": .string(hash), "message": .string(parts.count > 1 ? parts[1] : "")])
        }
        if !commits.isEmpty { result["recentCommits"] = .array(commits) }
        return .object(result)
    }
}
