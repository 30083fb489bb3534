import AgentIMCore

extension JSONValue {
    /// The dotted path of the first string (key or value) holding U+0000, `(root)` for a bare
    /// string: PostgreSQL stores no NUL in text or jsonb, so such a body would end in a 500
    /// wherever it reached a query (found by Tests/fuzz: `POST /api/messages/batch-delete`
    /// with `"\u0000"` among the ids, `POST /api/routers` with one in `llmBaseUrl`).
    func pathOfNULCharacter(_ path: String = "") -> String? {
        switch self {
        case .string(let text):
            return text.utf8.contains(0) ? (path.isEmpty ? "(root)" : path) : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = item.pathOfNULCharacter(path.isEmpty ? "\(index)" : "\(path).\(index)") { return found }
            }
            return nil
        case .object(let members):
            for (key, member) in members {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if key.utf8.contains(0) { return child }
                if let found = member.pathOfNULCharacter(child) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
