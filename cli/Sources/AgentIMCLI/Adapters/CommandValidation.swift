import Foundation

/// Validation of a generic/custom adapter's command (agent-cli.md §15.2). No shell is ever used,
/// but a command that looks like shell syntax is refused so a hostile adapters.json or spec
/// cannot smuggle one in.
public enum CommandValidation {
    public struct Rejected: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    static let forbiddenCharacters: [Character] = [";", "&", "|", "`", "$", "{", "}", "[", "]", "<", ">", "!", "#", "~", "*", "?"]

    /// Returns the trimmed command or throws with the reason.
    @discardableResult
    public static func validate(_ raw: String) throws -> String {
        let command = raw.trimmingCharacters(in: .whitespaces)
        if command.isEmpty { throw Rejected(description: "Invalid command: command must not be empty") }
        if command.contains("\0") { throw Rejected(description: "Invalid command: contains a null byte") }
        if command.hasPrefix("-") { throw Rejected(description: "Invalid command: must not start with '-'") }
        if command.contains("\r") || command.contains("\n") { throw Rejected(description: "Invalid command: must not contain line breaks") }
        if let bad = command.first(where: { forbiddenCharacters.contains($0) }) {
            throw Rejected(description: "Invalid command: contains forbidden character '\(bad)'")
        }
        if hasParentSegment(command) {
            guard isAbsolute(command) else {
                throw Rejected(description: "Invalid command: relative paths with '..' segments are not allowed")
            }
            let normalized = normalize(command)
            if normalized != command {
                throw Rejected(description: "Invalid command: path contains '..'; use the resolved path \(normalized)")
            }
        }
        return command
    }

    static func hasParentSegment(_ command: String) -> Bool {
        command.range(of: #"(^|[\\/])\.\.([\\/]|$)"#, options: .regularExpression) != nil
    }

    static func isAbsolute(_ command: String) -> Bool {
        if command.hasPrefix("/") || command.hasPrefix("\\") { return true }
        return command.range(of: #"^[A-Za-z]:[\\/]"#, options: .regularExpression) != nil
    }

    /// Collapses `.` and `..` segments (separators kept as written).
    static func normalize(_ path: String) -> String {
        let separator: Character = path.contains("\\") && !path.contains("/") ? "\\" : "/"
        var parts: [Substring] = []
        let pieces = path.split(separator: separator, omittingEmptySubsequences: false)
        for (index, piece) in pieces.enumerated() {
            if piece == "." { continue }
            if piece == ".." {
                if parts.count > 1 || (parts.count == 1 && !parts[0].isEmpty && !parts[0].hasSuffix(":")) { parts.removeLast() }
                continue
            }
            if piece.isEmpty && index != 0 && index != pieces.count - 1 { continue }
            parts.append(piece)
        }
        let joined = parts.map(String.init).joined(separator: String(separator))
        return joined.isEmpty ? String(separator) : joined
    }
}
