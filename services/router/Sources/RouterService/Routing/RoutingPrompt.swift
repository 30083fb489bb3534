import AgentIMCore
import Foundation

/// The pure parts of routing a broadcast-mode message (websocket §11.8): which candidates the
/// LLM sees, what it is asked, and how its answer is read.
public enum RoutingPrompt {
    /// Lower-cased runs of `[a-z0-9]` and CJK ideographs (U+4E00–U+9FFF).
    public static func tokens(_ text: String) -> Set<String> {
        var result = Set<String>()
        var current = ""
        for scalar in text.lowercased().unicodeScalars {
            let v = scalar.value
            if (0x61...0x7A).contains(v) || (0x30...0x39).contains(v) || (0x4E00...0x9FFF).contains(v) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                result.insert(current)
                current = ""
            }
        }
        if !current.isEmpty { result.insert(current) }
        return result
    }

    /// How many of the message's words the agent's name, type and capabilities share.
    public static func overlap(_ messageTokens: Set<String>, _ candidate: RouteCandidate) -> Int {
        let agentTokens = tokens(([candidate.name, candidate.type] + candidate.capabilities).joined(separator: " "))
        return messageTokens.intersection(agentTokens).count
    }

    /// At most `limit` candidates: when there are more, those with the highest keyword
    /// overlap with the message, ties kept in their original order.
    public static func shortlist(_ candidates: [RouteCandidate], content: String, limit: Int) -> [RouteCandidate] {
        guard candidates.count > limit else { return candidates }
        let words = tokens(content)
        let scored = candidates.enumerated().map { (index: $0.offset, score: overlap(words, $0.element), candidate: $0.element) }
        return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
            .prefix(limit).map(\.candidate)
    }

    /// The `developer` message: the task, the answer format, include-everyone-by-default,
    /// and the room's system prompt after `Room context:`.
    public static func instructions(roomSystemPrompt: String?) -> String {
        var lines = [
            "You route the messages of a multi-agent chat room in broadcast mode.",
            "Given the agents in the room and a message from a user, decide which agents should receive the message and answer it.",
            #"Reply with only a JSON object and nothing else: {"agentIds": ["<agent id>", ...]}"#,
            "By default include every agent.",
            "Leave an agent out only when the message names a particular agent, or clearly concerns only some agent types or capabilities.",
            "Return an empty list only when the message is meant for no agent at all.",
        ]
        if let prompt = roomSystemPrompt, !prompt.isEmpty { lines.append("\nRoom context: \(prompt)") }
        return lines.joined(separator: "\n")
    }

    /// The `user` message: one line per candidate (id, name, type, up to 10 capabilities),
    /// then the message in double quotes.
    public static func question(_ candidates: [RouteCandidate], content: String) -> String {
        let lines = candidates.map { agent -> String in
            let capabilities = agent.capabilities.isEmpty ? "" : " (capabilities: \(agent.capabilities.prefix(10).joined(separator: ", ")))"
            return "- id: \"\(agent.id)\", name: \"\(agent.name)\", type: \"\(agent.type)\"\(capabilities)"
        }
        return "Available agents:\n\(lines.joined(separator: "\n"))\n\nUser message: \"\(content)\""
    }

    /// The request body: model and the two messages, no temperature, no token limit.
    public static func body(model: String, instructions: String, question: String) -> Data {
        let value: JSONValue = .object([
            "model": .string(model),
            "messages": .array([
                .object(["role": .string("developer"), "content": .string(instructions)]),
                .object(["role": .string("user"), "content": .string(question)]),
            ]),
        ])
        return (try? JSONEncoder().encode(value)) ?? Data()
    }

    /// The first balanced `{…}` of `text`, aware of strings and escapes, so prose and code
    /// fences around the object (and braces inside its strings) do not matter.
    public static func firstJSONObject(_ text: String) -> String? {
        let chars = Array(text.unicodeScalars)
        guard let start = chars.firstIndex(of: "{") else { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        for index in start..<chars.count {
            let c = chars[index]
            if escaped { escaped = false; continue }
            if c == "\\" && inString { escaped = true; continue }
            if c == "\"" { inString.toggle(); continue }
            if inString { continue }
            if c == "{" { depth += 1 }
            if c == "}" {
                depth -= 1
                if depth == 0 {
                    var view = String.UnicodeScalarView()
                    view.append(contentsOf: chars[start...index])
                    return String(view)
                }
            }
        }
        return nil
    }

    /// `agentIds` of the first object in `text` when it is a list of strings; nil otherwise.
    public static func agentIds(in text: String) -> [String]? {
        guard let object = firstJSONObject(text),
              let value = try? JSONDecoder().decode(JSONValue.self, from: Data(object.utf8)),
              case .array(let items)? = value["agentIds"] else { return nil }
        var ids: [String] = []
        for item in items {
            guard case .string(let id) = item else { return nil }
            ids.append(id)
        }
        return ids
    }
}
